"""The Alembic environment of every service: each `migrations/env.py` calls `run()`.

It migrates the database named by the config's `sqlalchemy.url` (set by
`townhall_platform.db.run_migrations`), with batch mode on SQLite, which alters a table
by copying it. It imports no service's models: a migration must keep working as the
application code changes. Autogenerate, for whoever wants a draft of a revision, reads
the models' metadata from `config.attributes["target_metadata"]`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine
from sqlalchemy.pool import NullPool


def run() -> None:
    """Run the migrations Alembic asked for, offline (as SQL) or on the database."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set: run the migrations through run_migrations")
    target: MetaData | None = config.attributes.get("target_metadata")
    batch = url.startswith("sqlite")
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            render_as_batch=batch,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target, render_as_batch=batch)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
