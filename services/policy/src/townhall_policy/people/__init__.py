"""`/v1/directory/people`: active people found by the start of their name, for mentions."""
