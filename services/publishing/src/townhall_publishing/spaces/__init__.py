"""Spaces: where posts live, community or announcement, public or restricted."""
