"""Reactions, acknowledgements of official posts, and who read an official post."""
