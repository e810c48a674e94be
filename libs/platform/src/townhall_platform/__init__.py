"""Foundations every Townhall service shares: settings, auth, errors, logs, db, app factory."""
