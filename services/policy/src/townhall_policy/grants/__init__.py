"""Grants: who holds which role in which domain, from when to when, granted by whom, why."""
