"""Access reviews: a domain's grants reviewed one by one, kept or revoked, then closed."""
