"""Group commit: the changes that concurrent requests prepared, written together.

Creating a post reads its space, asks policy and renders its Markdown, none of which
needs the writer; what does is a handful of inserts and a commit. A request prepares
its change in a read session on a worker thread, then hands it to its process's writer
thread, which writes every change waiting in one transaction: on SQLite one turn of the
writer lock that every worker process shares and one commit, on PostgreSQL one take of
the outbox lock and one flush of the write-ahead log. At low load a group is one change;
under load, the changes that arrived while a turn was under way go in the next one, so
the turns, not the requests, are what the writer serialises.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import structlog
from prometheus_client import CollectorRegistry, Histogram
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_platform.errors import TownhallError

from .database import write_session

T = TypeVar("T")
log = structlog.get_logger(__name__)

# The most changes one transaction writes; more wait for the next turn.
MAX_GROUP = 100


class StaleRead(Exception):
    """What some changes of a group read before the writer's turn has changed since.

    Raised by a group's writer before it writes anything; `stale` are the positions of
    those changes in the group.
    """

    def __init__(self, message: str, *, stale: Sequence[int]) -> None:
        super().__init__(message)
        self.stale = tuple(stale)


Prepare = Callable[[Session], T]
WriteMany = Callable[[Session, Sequence[T]], None]


@dataclass(eq=False)
class _Change(Generic[T]):
    prepare: Prepare[T]
    value: T
    done: Future[T] = field(default_factory=Future)


class GroupCommit(Generic[T]):
    """Prepares each change in a read session on one of `threads`, then writes them with
    `write_many`, as many as are waiting at a time, in one transaction of one writer
    thread.

    `write_many` checks under the lock that what each change read still holds and
    raises `StaleRead` before writing anything when it does not: those changes are
    prepared again inside the writing transaction (where nothing can change under
    them), and one that is then refused (its space gone, policy saying no) gets that
    refusal while the others are written. Any other failure rolls the group back and
    writes each of its changes alone, so a faulty change fails its own request only.
    """

    def __init__(
        self,
        engine: Engine,
        write_many: WriteMany[T],
        *,
        name: str,
        threads: int = 4,
        group_sizes: Histogram | None = None,
    ) -> None:
        self._engine = engine
        self._preparers = ThreadPoolExecutor(threads, thread_name_prefix=f"{name}-prepare")
        self._group_sizes = group_sizes  # changes per committed transaction
        # PostgreSQL: preparing reads outside a transaction, saving its BEGIN and ROLLBACK
        # round trips (what it read is checked again in the writing transaction).
        self._reader = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        self._write_many = write_many
        self._name = name
        self._queue: queue.SimpleQueue[_Change[T] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._closed = False
        self._failed: BaseException | None = None

    async def __call__(self, prepare: Prepare[T]) -> T:
        """Prepare a change on a preparing thread, write it in the next group, return it.

        The preparing thread hands the change to the writer itself, and the event loop
        wakes once, when the group has committed (anyio's round trip to a worker thread
        and back cost about a twentieth of creating a post).
        """
        self._check_open()
        done: Future[T] = Future()
        context = contextvars.copy_context()  # the request's log context, in the thread
        self._preparers.submit(context.run, self._prepare_and_queue, prepare, done)
        return await asyncio.wrap_future(done)

    def submit(self, prepare: Prepare[T], value: T) -> Future[T]:
        """Queue a change the caller prepared itself; the future completes when its group
        has committed (cancelled before the writer takes it, the change is not written).
        `__call__` is this after preparing on a preparing thread: from then on its change
        can no longer be cancelled."""
        self._check_open()
        change = _Change(prepare, value)
        self._queue_for_writer(change)
        return change.done

    def close(self) -> None:
        """Write what is being prepared or queued, then stop the threads."""
        self._closed = True
        self._preparers.shutdown(wait=True)
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        self._fail_queued(RuntimeError(f"the {self._name} writer is closed"))

    def _check_open(self) -> None:
        if self._failed is not None:
            raise RuntimeError(f"the {self._name} writer stopped") from self._failed
        if self._closed:
            raise RuntimeError(f"the {self._name} writer is closed")

    def _fail_queued(self, error: BaseException) -> None:
        """Answer what is still queued (submitted as the writer stopped) with `error`."""
        while True:
            try:
                change = self._queue.get_nowait()
            except queue.Empty:
                return
            if change is not None and not change.done.done():
                change.done.set_exception(error)

    def _prepare_and_queue(self, prepare: Prepare[T], done: Future[T]) -> None:
        if not done.set_running_or_notify_cancel():
            return  # the request went away while it waited for a thread
        try:
            value = self._prepare(prepare)
            self._queue_for_writer(_Change(prepare, value, done))
        except BaseException as error:  # its request must get an answer
            done.set_exception(error)

    def _queue_for_writer(self, change: _Change[T]) -> None:
        self._start()
        self._queue.put(change)
        if self._failed is not None:  # the writer ended as this change came
            self._fail_queued(self._failed)

    def _prepare(self, prepare: Prepare[T]) -> T:
        with Session(self._reader, expire_on_commit=False) as session:
            try:
                return prepare(session)
            finally:
                session.rollback()

    def _start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=f"{self._name}-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    change = self._queue.get_nowait()
                except queue.Empty:
                    break
                if change is None:
                    stopping = True
                    break
                group.append(change)
            # A change whose request was cancelled while it waited is not written; from
            # here on the others can no longer be cancelled (those prepared by
            # `__call__` could not be since their preparation began).
            group = [
                change
                for change in group
                if change.done.running() or change.done.set_running_or_notify_cancel()
            ]
            if not group:
                continue
            try:
                self._write_group(group)
            except BaseException as error:  # never leave a request waiting for an answer
                log.exception("group_commit_crashed", writer=self._name)
                for change in group:
                    if not change.done.done():
                        change.done.set_exception(error)
                if not isinstance(error, Exception):
                    # The thread ends: refuse new changes and answer the queued ones.
                    self._failed = error
                    self._fail_queued(error)
                    raise

    def _write_group(self, group: list[_Change[T]]) -> None:
        try:
            written = self._write(group)
        except Exception as error:
            if len(group) == 1:
                if not group[0].done.done():  # not refused already
                    group[0].done.set_exception(error)
                return
            log.warning("group_commit_failed", writer=self._name, changes=len(group))
            for change in group:
                if not change.done.done():  # not refused already
                    self._write_group([change])
            return
        if self._group_sizes is not None and written:
            self._group_sizes.observe(len(written))
        for change in written:
            change.done.set_result(change.value)

    def _write(self, group: list[_Change[T]]) -> list[_Change[T]]:
        """Write the group in one transaction; return the changes written (those whose
        second preparation was refused have their refusal and are left out)."""
        kept = list(group)
        with write_session(self._engine) as session:
            try:
                self._write_many(session, [change.value for change in kept])
            except StaleRead as stale:
                kept = self._prepare_again(session, kept, stale.stale)
                if kept:
                    # Prepared under the lock: nothing they read can have changed since.
                    self._write_many(session, [change.value for change in kept])
            session.changes = len(kept)
        return kept

    def _prepare_again(
        self, session: Session, group: list[_Change[T]], stale: Sequence[int]
    ) -> list[_Change[T]]:
        refused: set[int] = set()
        for index in stale:
            change = group[index]
            try:
                change.value = change.prepare(session)
            except Exception as error:
                if not isinstance(error, TownhallError):
                    raise  # the transaction may be unusable: the group is written one by one
                change.done.set_exception(error)
                refused.add(index)
        return [change for index, change in enumerate(group) if index not in refused]


def group_size_histogram(registry: CollectorRegistry) -> Histogram:
    """How many new posts each transaction of the posts' writer wrote, in `registry`."""
    return Histogram(
        "townhall_publishing_post_write_group_size",
        "New posts written together in one transaction (group commit)",
        buckets=(1, 2, 4, 8, 16, 32, 64, MAX_GROUP),
        registry=registry,
    )
