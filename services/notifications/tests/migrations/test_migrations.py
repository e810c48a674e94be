"""The Alembic migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from townhall_notifications.cli import MIGRATIONS
from townhall_notifications.models import metadata
from townhall_platform.db import run_migrations


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert differences == []


def test_migrations_are_idempotent(migrated_url: str, engine: Engine) -> None:
    run_migrations(migrated_url, MIGRATIONS)

    assert {"notifications", "applied_events", "outgoing_mail"} <= set(
        inspect(engine).get_table_names()
    )
