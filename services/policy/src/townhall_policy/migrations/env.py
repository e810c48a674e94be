"""Alembic environment of the policy database (run through `run_migrations`)."""

from __future__ import annotations

from townhall_platform import migrations_env

migrations_env.run()
