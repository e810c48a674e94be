"""Comments and replies, reactions, and acknowledgements of official posts."""
