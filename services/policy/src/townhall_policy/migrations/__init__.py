"""Alembic migrations of the policy database (run with `townhall-policy migrate`)."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent
