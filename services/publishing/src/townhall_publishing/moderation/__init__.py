"""Moderation: reports, the queue, hiding and restoring, and the record of every action."""
