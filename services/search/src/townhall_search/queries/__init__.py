"""Searches out: the public search endpoints and their pagination cursors."""
