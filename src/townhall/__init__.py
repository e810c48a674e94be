"""Townhall's operator command line: run the embedded system, seed it, mint demo tokens."""
