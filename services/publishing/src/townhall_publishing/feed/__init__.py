"""The feed: published posts a user may read, official first, then newest."""
