"""Atom feeds of official posts for news readers and intranet portals, and the per-user
feed tokens that authenticate them."""
