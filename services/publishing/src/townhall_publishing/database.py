"""The publishing service's own table registry and the column types it needs.

Publishing keeps its tables in a registry of its own rather than SQLModel's global
one, so that its metadata (used by the migrations' drift check) holds only its tables
even when other services' models are imported in the same process.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

publishing_registry = registry()
metadata = publishing_registry.metadata


class PublishingModel(SQLModel, registry=publishing_registry):
    """Base of every publishing table."""


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def no_strings() -> list[str]:
    """An empty list: the default factory of the table models' list columns.

    SQLModel's table constructor has pydantic inspect a default factory's signature on
    every instance; a plain function's takes a fifth of the time `list`'s does.
    """
    return []


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    SQLite keeps no time zone: values are stored as naive UTC and given their zone
    back on load, so comparisons (feed cursors, relay backoff) agree on both backends.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a UTC-aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite has one writer at a time. A transaction that read first and writes later
# fails at once ("database is locked") when another writer committed in between, so
# publishing's write requests start with BEGIN IMMEDIATE, one at a time per process.
SQLITE_IMMEDIATE = "townhall_sqlite_immediate"
_sqlite_writer = threading.Lock()


def tune_engine(engine: Engine) -> Engine:
    """On SQLite, let sessions ask for an immediate (write) transaction."""
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        # Straight to the driver: one BEGIN per request through SQLAlchemy's execution
        # path (events, contexts) cost as much as a feed page's own query.
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# Threads that close a write session whose endpoint never ran (rare: see `deps`).
_SESSION_THREADS = 40


class WriterQueue:
    """Where write requests wait their turn on SQLite, without holding a worker thread.

    Requests run their endpoint in a thread pool; were they to wait for the writer lock
    in those threads, a burst of writes would take every thread and the holder of the
    lock could not finish. On PostgreSQL writers do not queue.
    """

    def __init__(self, engine: Engine) -> None:
        self._serial = engine.dialect.name == "sqlite"
        self._lock: anyio.Lock | None = None
        self._session_threads: anyio.CapacityLimiter | None = None

    @property
    def session_threads(self) -> anyio.CapacityLimiter:
        """Threads that close write sessions outside their endpoint, apart from the
        endpoints' pool: a close must never wait behind endpoints (on PostgreSQL,
        endpoints waiting for the outbox lock once took every thread of the pool while
        the holder's commit waited for one, and every write hung).
        """
        if self._session_threads is None:
            self._session_threads = anyio.CapacityLimiter(_SESSION_THREADS)
        return self._session_threads

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if not self._serial:
            yield
            return
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            yield


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A unit of work that writes, outside a request: committed on success, rolled back
    on error; on SQLite behind the process's writer lock, as a request's (`WriteSession`)."""
    session = WriteSession(engine)
    session.begin_write()
    try:
        yield session
    except BaseException:
        session.finish(commit=False)
        raise
    session.finish(commit=True)


class WriteSession(Session):
    """The session of a write request, whose whole transaction runs in the endpoint's
    thread: begun as the endpoint starts, committed as it returns (`UnitOfWorkRoute`).

    Begin, work and commit used to be three trips between the event loop and worker
    threads; each trip waited for the loop and for the GIL while the writer lock (SQLite)
    or the outbox lock (PostgreSQL) was held, and that wait, not the work, capped writes.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self._sqlite = engine.dialect.name == "sqlite"
        self.begun = False
        self.finished = False

    def begin_write(self) -> None:
        """Start the transaction; on SQLite wait for the process's writer lock first."""
        if self._sqlite:
            _sqlite_writer.acquire()
            try:
                self.connection(execution_options={SQLITE_IMMEDIATE: True})
            except BaseException:
                _sqlite_writer.release()
                raise
        self.begun = True

    def finish(self, *, commit: bool) -> None:
        """Commit (or roll back) and close; a failed commit is rolled back and raised."""
        if self.finished:
            return
        self.finished = True
        try:
            if commit and self.in_transaction():
                try:
                    self.commit()
                except BaseException:
                    self.rollback()
                    raise
            elif self.in_transaction():
                self.rollback()
        finally:
            self.close()
            if self._sqlite and self.begun:
                _sqlite_writer.release()
