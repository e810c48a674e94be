"""Searches out: the public search endpoint, cursors and the principals cache."""
