"""The internal export of every post and comment as search documents, for reindexing."""
