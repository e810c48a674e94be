"""Decisions: may this subject do this action in this domain, and why."""
