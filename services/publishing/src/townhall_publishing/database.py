"""The publishing service's own table registry and the column types it needs.

Publishing keeps its tables in a registry of its own rather than SQLModel's global
one, so that its metadata (used by the migrations' drift check) holds only its tables
even when other services' models are imported in the same process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import structlog
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

log = structlog.get_logger(__name__)

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
# publishing's write requests start with BEGIN IMMEDIATE, one at a time.
SQLITE_IMMEDIATE = "townhall_sqlite_immediate"


# SQLite's own checkpoint runs inside the commit that fills the write-ahead log past 1,000
# pages, writer lock held: every writer waited for its copying and syncing (tens of
# milliseconds). Publishing's connections turn it off and a writer checkpoints after
# letting the lock go, every this many changes its process commits (a new post writes about
# ten pages).
CHECKPOINT_EVERY = 100


class FileLock:
    """A lock shared by the threads of a process and by the processes using one file.

    Threads take a lock; processes then take an exclusive `flock` on the lock file. A
    blocking wait wakes as soon as the holder lets go and releases the GIL meanwhile.
    """

    def __init__(self, path: str | None) -> None:
        self._threads = threading.Lock()
        self._path = path  # None: only the threads of this process share the lock
        self._fd: int | None = None

    def acquire(self, *, blocking: bool = True) -> bool:
        if not self._threads.acquire(blocking=blocking):
            return False
        try:
            if self._path is not None:
                flags = fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB
                try:
                    fcntl.flock(self._file(), flags)
                except BlockingIOError:
                    self._threads.release()
                    return False
        except BaseException:
            self._threads.release()
            raise
        return True

    def release(self) -> None:
        try:
            if self._path is not None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _file(self) -> int:
        if self._fd is None:  # opened once per process, under the thread lock
            assert self._path is not None
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd

    def forget_parent(self) -> None:
        """In a forked child: compete for the lock anew. An inherited descriptor shares
        the parent's `flock`, and the thread lock may have been copied while held."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        self._threads = threading.Lock()


_file_locks: dict[tuple[str, str], FileLock] = {}
_file_locks_guard = threading.Lock()


def _after_fork_in_child() -> None:
    global _file_locks_guard
    _file_locks_guard = threading.Lock()
    for lock in _file_locks.values():
        lock.forget_parent()


os.register_at_fork(after_in_child=_after_fork_in_child)


def sqlite_file(database: str | None) -> str | None:
    """The path of a SQLite database that processes can share through lock files beside
    it; None for an in-memory database or a `file:` URI (their locks cover one process)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database)


def sqlite_lock(engine: Engine, purpose: str) -> FileLock:
    """The lock named `purpose` of the SQLite file behind `engine`, shared by every
    engine and process on that file (`<database>-<purpose>.lock` beside it)."""
    path = sqlite_file(engine.url.database)
    key = (path or engine.url.database or "", purpose)
    with _file_locks_guard:
        lock = _file_locks.get(key)
        if lock is None:
            lock = _file_locks[key] = FileLock(f"{path}-{purpose}.lock" if path else None)
        return lock


# Changes committed by this process per SQLite file, counted towards its next checkpoint.
_commits: dict[str, int] = {}
_commits_guard = threading.Lock()


def checkpoint_due(engine: Engine, changes: int = 1) -> bool:
    """True when this process's commits to `engine`'s file reach the next multiple of
    `CHECKPOINT_EVERY` changes (a group commit counts each change it wrote)."""
    with _commits_guard:
        before = _commits.get(engine.url.database or "", 0)
        _commits[engine.url.database or ""] = before + changes
    return (before + changes) // CHECKPOINT_EVERY > before // CHECKPOINT_EVERY


def checkpoint_wal(engine: Engine) -> None:
    """Copy what the write-ahead log holds into the database, without waiting for readers
    or writers (PASSIVE); what cannot be copied now is copied next time.

    A failure is logged, not raised: the commit before it stands, and the write that
    happened to be the hundredth must not answer as if it had failed."""
    try:
        connection = engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()
    except Exception:
        log.warning("sqlite_checkpoint_failed", database=engine.url.database, exc_info=True)


def sqlite_writer_lock(engine: Engine) -> FileLock:
    """One writer at a time on a SQLite file, across threads and worker processes.

    SQLite's own busy handler polls with sleeps of up to 100 ms: under load, a writer
    that found the file locked slept through many commits; this lock is waited for instead.
    """
    return sqlite_lock(engine, "writer")


def tune_engine(engine: Engine) -> Engine:
    """On SQLite, let sessions ask for an immediate (write) transaction."""
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _manual_transactions(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        # Writers checkpoint outside the writer lock (`WriteSession.finish`).
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

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
    lock could not finish. So a process lets one write at a time go to its threads,
    which then wait only for the other processes' writer (`sqlite_writer_lock`). On
    PostgreSQL writers do not queue.
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
def write_session(engine: Engine) -> Iterator[WriteSession]:
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
        self._engine = engine
        self._writer = sqlite_writer_lock(engine) if engine.dialect.name == "sqlite" else None
        self.begun = False
        self.finished = False
        # What the transaction writes, counted towards the next checkpoint (a group of
        # new posts counts each post).
        self.changes = 1

    def begin_write(self) -> None:
        """Start the transaction; on SQLite wait for the file's writer lock first."""
        if self._writer is not None:
            self._writer.acquire()
            try:
                self.connection(execution_options={SQLITE_IMMEDIATE: True})
            except BaseException:
                self._writer.release()
                raise
        self.begun = True

    def finish(self, *, commit: bool) -> None:
        """Commit (or roll back) and close; a failed commit is rolled back and raised."""
        if self.finished:
            return
        self.finished = True
        committed = False
        try:
            if commit and self.in_transaction():
                try:
                    self.commit()
                    committed = True
                except BaseException:
                    self.rollback()
                    raise
            elif self.in_transaction():
                self.rollback()
        finally:
            # The transaction is over: the next writer may go while this one tidies up.
            if self._writer is not None and self.begun:
                self._writer.release()
            self.close()
        if committed and self._writer is not None and checkpoint_due(self._engine, self.changes):
            checkpoint_wal(self._engine)
