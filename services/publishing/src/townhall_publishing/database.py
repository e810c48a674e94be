"""The publishing service's own table registry and its SQLite write transactions.

Publishing keeps its tables in a registry of its own rather than SQLModel's global
one, so that its metadata (used by the migrations' drift check) holds only its tables
even when other services' models are imported in the same process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import registry
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, SQLModel

publishing_registry = registry()
metadata = publishing_registry.metadata


class PublishingModel(SQLModel, registry=publishing_registry):
    """Base of every publishing table."""


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def no_strings() -> list[str]:
    """An empty list: the default factory of the table models' list columns (a plain
    function, which pydantic inspects faster than `list` on every new instance)."""
    return []


# SQLite has one writer at a time, and a transaction that read first and writes later
# fails at once ("database is locked") when another writer committed in between. So a
# write transaction starts with BEGIN IMMEDIATE, under a lock its process's writers share
# (waited for, rather than SQLite's busy handler, which polls). One publishing process
# writes to a SQLite file: `settings.PublishingSettings` refuses more.
SQLITE_WRITE = "townhall_sqlite_write"
_WRITER = "townhall_sqlite_writer"
_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def sqlite_lock(engine: Engine, purpose: str) -> threading.Lock:
    """The lock named `purpose` that this process's threads share on `engine`'s SQLite
    database (its writers take "writer", the outbox relay "relay")."""
    key = (str(engine.url), purpose)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def tune_engine(engine: Engine) -> Engine:
    """On SQLite, let write sessions begin an immediate transaction under the writer lock
    (held until the connection goes back to the pool, after its commit or rollback)."""
    if engine.dialect.name != "sqlite":
        return engine
    writer = sqlite_lock(engine, "writer")

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        driver = connection.connection.driver_connection
        assert driver is not None
        if not connection.get_execution_options().get(SQLITE_WRITE, False):
            driver.execute("BEGIN")
            return
        writer.acquire()
        info = connection.connection.info
        info[_WRITER] = True
        try:
            driver.execute("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    def _release(info: dict[Any, Any]) -> None:
        if info.pop(_WRITER, False):
            writer.release()

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        _release(record.info)

    return engine


class WriteSession(Session):
    """The session of a unit of work that writes: on SQLite its transaction begins
    immediate, under the writer lock (`tune_engine`)."""

    def __init__(self, engine: Engine) -> None:
        bind = _write_engine(engine) if _sqlite(engine) else engine
        super().__init__(bind, expire_on_commit=False)


# The writers' view of each SQLite engine, made once and kept on the engine (so it goes
# with it): `execution_options` builds a new engine object at every call, which every
# write request would pay for.
_WRITE_ENGINE = "_townhall_write_engine"


def _write_engine(engine: Engine) -> Engine:
    found: Engine | None = getattr(engine, _WRITE_ENGINE, None)
    if found is None:
        found = engine.execution_options(**{SQLITE_WRITE: True})
        setattr(engine, _WRITE_ENGINE, found)
    return found


def _sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A unit of work outside a request: committed on success, rolled back on error."""
    with WriteSession(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()  # also after a failed commit, which leaves it open
            raise
