"""Index events in: the internal bulk endpoint and its service."""
