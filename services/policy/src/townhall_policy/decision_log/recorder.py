"""Writes the decision log before an answer leaves, and grant usage in the background.

A decision on an official action, or a refusal, is in the log before it is answered: a
caller that got it can find it there, even if the process dies right after answering.
Requests queue their entries and wait; one writer thread (a platform `Worker`) writes
whatever is queued in one transaction and wakes them (a group commit: requests that
arrive during a commit share the next one). If the log cannot be written in time, the
request answers 503 instead of a decision the log does not hold. Allowed decisions on
other actions are not logged. Grant usage (when a grant was last behind an allowing
decision) is a statistic, not a record: it is queued in memory and written every
`interval` seconds, and what was queued when the process dies is lost.

Both halves stay cheap because they share the GIL with the request path: a request
queues a flat tuple of strings and numbers (the reason already serialised by pydantic's
core), and the writer turns a batch into plain tuples for one driver `executemany` (ORM
objects per entry cost tens of milliseconds per batch, which showed as the HTTP p99).
Flat tuples of atoms are untracked by the cyclic collector: a backlog of queued
decision objects (under batch load) made single collections take hundreds of ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

import structlog
from anyio import to_thread
from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from townhall_platform.errors import DependencyUnavailable
from townhall_platform.workers import Worker
from townhall_policy.decision_log.models import DecisionLogEntry, GrantUsage
from townhall_policy.timestamps import utcnow

if TYPE_CHECKING:
    from townhall_contracts.policy import Decision

log = structlog.get_logger("townhall.policy.decision_log")

# decision id, timestamp, subject, action, domain, allowed, revision, requested by, reason JSON
_Entry = tuple[str, datetime, str, str, str, bool, int, str, str]

# The tables themselves, for Core inserts and updates (SQLModel leaves `__table__` untyped).
DECISION_LOG = cast(Table, DecisionLogEntry.__table__)  # type: ignore[attr-defined]
GRANT_USAGE = cast(Table, GrantUsage.__table__)  # type: ignore[attr-defined]


class DecisionSink(Protocol):
    """Where deciding puts what must be logged and which grants were used."""

    def log(self, decision: Decision, *, requested_by: str) -> None: ...

    def grant_used(self, grant_id: str) -> None: ...


def _entry(decision: Decision, requested_by: str) -> _Entry:
    return (
        decision.decision_id,
        utcnow(),
        decision.subject,
        decision.action,
        decision.domain,
        decision.allowed,
        decision.policy_revision,
        requested_by,
        decision.reason.model_dump_json(),
    )


class DecisionRecorder:
    """Writes decision-log entries before their answer, grant uses in batches."""

    def __init__(
        self,
        database: Engine,
        *,
        interval: float = 0.5,
        timeout: float = 5.0,
        stale_after: float | None = 60.0,
    ) -> None:
        self._database = database
        self._interval = interval
        self._timeout = timeout
        # Groups of entries, each with the future its requests wait on.
        self._waiting: list[tuple[list[_Entry], Future[None]]] = []
        self._waiting_since: float | None = None
        self._usage: dict[str, tuple[datetime, int]] = {}
        self._usage_due = time.monotonic() + interval
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self.worker = Worker(
            "decision-log-writer",
            self._tick,
            interval=interval,
            initial_backoff=0.05,
            max_backoff=2.0,
            stale_after=stale_after,
            max_lag=stale_after,
            lag=self.lag_seconds,
            pending=self.pending,
        )

    # What deciding calls

    def log(self, decision: Decision, *, requested_by: str) -> None:
        """Log one decision and return once it is committed (`DependencyUnavailable`
        when it cannot be). Blocks: for endpoints that run in the thread pool."""
        self.wait(self.submit([_entry(decision, requested_by)]))

    def grant_used(self, grant_id: str) -> None:
        """Note that `grant_id` was behind an allowing decision just now."""
        now = utcnow()
        with self._lock:
            _, uses = self._usage.get(grant_id, (now, 0))
            self._usage[grant_id] = (now, uses + 1)

    def for_request(self) -> RequestDecisions:
        """A sink that collects one request's entries; `await written()` logs them."""
        return RequestDecisions(self)

    def submit(self, entries: list[_Entry]) -> Future[None]:
        """Queue entries for the next commit; the future completes once they are in."""
        future: Future[None] = Future()
        with self._lock:
            if not self._waiting:
                self._waiting_since = time.monotonic()
            self._waiting.append((entries, future))
        self.worker.wake()
        return future

    @property
    def timeout(self) -> float:
        """Seconds a request waits for its entries' commit before answering 503."""
        return self._timeout

    def wait(self, future: Future[None]) -> None:
        """Wait for a submitted group; the writer's failure or a timeout is a 503."""
        if not self.worker.alive:
            # No writer thread (stopped, or a tool using the engine): write from here;
            # a failure reaches the caller through the future.
            with contextlib.suppress(Exception):
                self._write_waiting()
        try:
            future.result(timeout=self._timeout)
        except FutureTimeout as exc:
            raise DependencyUnavailable("The decision log could not be written in time.") from exc
        except Exception as exc:
            raise DependencyUnavailable(f"The decision log could not be written: {exc}") from exc

    # The writer

    def flush(self) -> int:
        """Write what is queued, grant uses included; returns the log entries written."""
        written = self._write_waiting()
        self._write_usage()
        return written

    def pending(self) -> int:
        with self._lock:
            return sum(len(entries) for entries, _ in self._waiting)

    def lag_seconds(self) -> float:
        """How long the oldest entry not yet written has waited (0 when none waits)."""
        since = self._waiting_since
        return max(time.monotonic() - since, 0.0) if since is not None else 0.0

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()
        self.flush()

    def _tick(self) -> float | None:
        self._write_waiting()
        if time.monotonic() >= self._usage_due:
            self._write_usage()
        return None

    def _write_waiting(self) -> int:
        """One transaction for every queued entry; wakes their requests either way."""
        with self._flush_lock:
            with self._lock:
                waiting, self._waiting = self._waiting, []
                self._waiting_since = None
            if not waiting:
                return 0
            entries = [entry for group, _ in waiting for entry in group]
            try:
                with self._database.connect() as connection:
                    _insert_log_rows(connection, entries)
                    connection.commit()
            except BaseException as exc:
                # Their requests answer 503: no decision goes out that the log lacks.
                for _, future in waiting:
                    _settle(future, exc)
                raise
            for _, future in waiting:
                _settle(future, None)
            return len(entries)

    def _write_usage(self) -> None:
        with self._flush_lock:
            self._usage_due = time.monotonic() + self._interval
            with self._lock:
                usage, self._usage = self._usage, {}
            if not usage:
                return
            try:
                with Session(self._database) as session:
                    _add_usage(session, usage)
                    session.commit()
            except BaseException:
                # Put them back: the next write tries again.
                with self._lock:
                    for grant_id, (last_used, uses) in usage.items():
                        _, more = self._usage.get(grant_id, (last_used, 0))
                        self._usage[grant_id] = (last_used, uses + more)
                raise


def _settle(future: Future[None], error: BaseException | None) -> None:
    """Complete a group's future, unless its request stopped waiting (a timeout)."""
    with contextlib.suppress(InvalidStateError):
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


class RequestDecisions:
    """One request's decisions to log, written together before it answers.

    For endpoints on the event loop: deciding queues nothing and waits for nothing;
    `await written()` submits the request's entries as one group and waits for their
    commit without holding the loop. A request whose decisions need no log entry (an
    allowed decision on a non-official action) does not wait at all.
    """

    def __init__(self, recorder: DecisionRecorder) -> None:
        self._recorder = recorder
        self._entries: list[_Entry] = []

    def log(self, decision: Decision, *, requested_by: str) -> None:
        self._entries.append(_entry(decision, requested_by))

    def grant_used(self, grant_id: str) -> None:
        self._recorder.grant_used(grant_id)

    async def written(self) -> None:
        """Return once every entry of the request is committed, else raise a 503."""
        if not self._entries:
            return
        recorder = self._recorder
        future = recorder.submit(self._entries)
        self._entries = []
        if not recorder.worker.alive:
            await to_thread.run_sync(recorder.wait, future)
            return
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), recorder.timeout)
        except TimeoutError as exc:
            raise DependencyUnavailable("The decision log could not be written in time.") from exc
        except Exception as exc:
            raise DependencyUnavailable(f"The decision log could not be written: {exc}") from exc


_LOG_COLUMNS = (
    "decision_id",
    "timestamp",
    "subject",
    "action",
    "domain",
    "allowed",
    "policy_revision",
    "requested_by",
    "input",
    "result",
)


def _insert_log_rows(connection: Connection, entries: list[_Entry]) -> None:
    """Insert `decision_log` rows: the OPA decision-log fields, input and result as JSON.

    Straight to the driver's `executemany` with plain tuples: a Core insert's per-row
    work (dicts, type processing) holds the GIL the request path needs, and answers
    stalled while the rows a burst of load had queued were written. The timestamp goes
    through the column type's own bind processing, as Core would.
    """
    dialect = connection.dialect
    processor = DECISION_LOG.c.timestamp.type.bind_processor(dialect)
    stamp: Callable[[Any], Any] = processor if processor is not None else (lambda value: value)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {DECISION_LOG.name} ({', '.join(_LOG_COLUMNS)}) "
        f"VALUES ({', '.join([marker] * len(_LOG_COLUMNS))})"
    )
    connection.exec_driver_sql(
        statement,
        [
            (
                decision_id,
                stamp(timestamp),
                subject,
                action,
                domain,
                allowed,
                revision,
                requested_by,
                json.dumps({"subject": subject, "action": action, "domain": domain}),
                # The reason as pydantic's core serialised it, spliced into the result object.
                f'{{"allowed": {"true" if allowed else "false"}, "reason": {reason}}}',
            )
            for (
                decision_id,
                timestamp,
                subject,
                action,
                domain,
                allowed,
                revision,
                requested_by,
                reason,
            ) in entries
        ],
    )


def _add_usage(session: Session, usage: dict[str, tuple[datetime, int]]) -> None:
    """Add the queued uses to `grant_usage`: update the grants seen before, insert the rest."""
    known = {
        grant_id: last_used
        for grant_id, last_used in session.exec(
            select(col(GrantUsage.grant_id), col(GrantUsage.last_used_at)).where(
                col(GrantUsage.grant_id).in_(list(usage))
            )
        ).all()
    }
    table = GRANT_USAGE
    new = [
        {"grant_id": grant_id, "last_used_at": last_used, "uses": uses}
        for grant_id, (last_used, uses) in usage.items()
        if grant_id not in known
    ]
    if new:
        session.execute(insert(table), new)
    seen = [
        {"seen_id": grant_id, "seen_at": max(known[grant_id], last_used), "more": uses}
        for grant_id, (last_used, uses) in usage.items()
        if grant_id in known
    ]
    if seen:
        session.execute(
            update(table)
            .where(table.c.grant_id == bindparam("seen_id"))
            .values(last_used_at=bindparam("seen_at"), uses=table.c.uses + bindparam("more")),
            seen,
        )
