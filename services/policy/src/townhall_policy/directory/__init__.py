"""The directory: subjects (users and groups) and group memberships."""
