"""Operator seed: the demo spaces, posts and comments, idempotent by stable ids."""
