"""Audiences: the active users holding any of a post's reader principals."""
