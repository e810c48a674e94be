"""Writes logged decisions and grant usage in the background, in batches.

Deciding never waits for the database: decisions to log and grant uses are queued in
memory and flushed by a thread every `interval` seconds (and on demand, before the
log is queried, and when the service stops).

Both halves stay cheap because they share the GIL with the request path: a request
queues a flat tuple of strings and numbers (the reason already serialised by pydantic's
core), and the writer turns a batch into plain tuples for one driver `executemany` (ORM
objects per entry cost tens of milliseconds per batch, which showed as the HTTP p99).
Flat tuples of atoms are untracked by the cyclic collector: a backlog of queued
decision objects (under batch load) made single collections take hundreds of ms.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import structlog
from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

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

# Beyond this many unwritten entries the oldest are dropped (and counted) rather than
# letting memory grow without bound while the database is unreachable.
MAX_PENDING = 100_000


class DecisionRecorder:
    """Queues decision-log entries and grant uses; a thread writes them in batches."""

    def __init__(self, database: Engine, *, interval: float = 0.5) -> None:
        self._database = database
        self._interval = interval
        # Flat `_Entry` tuples, turned into rows by the writer, not per request.
        self._pending: deque[_Entry] = deque(maxlen=MAX_PENDING)
        self._usage: dict[str, tuple[datetime, int]] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def log(self, decision: Decision, *, requested_by: str) -> None:
        """Queue one decision for the log, with the fields of OPA's decision logs."""
        entry: _Entry = (
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
        with self._lock:
            if len(self._pending) == MAX_PENDING:
                self.dropped += 1
            self._pending.append(entry)

    def grant_used(self, grant_id: str) -> None:
        """Note that `grant_id` was behind an allowing decision just now."""
        now = utcnow()
        with self._lock:
            _, uses = self._usage.get(grant_id, (now, 0))
            self._usage[grant_id] = (now, uses + 1)

    def flush(self) -> int:
        """Write what is queued; returns the number of log entries written."""
        with self._flush_lock:
            with self._lock:
                entries = list(self._pending)
                self._pending.clear()
                usage = self._usage
                self._usage = {}
            if not entries and not usage:
                return 0
            try:
                with Session(self._database) as session:
                    if entries:
                        _insert_log_rows(session, entries)
                    if usage:
                        _add_usage(session, usage)
                    session.commit()
            except SQLAlchemyError as exc:
                # Put them back: the next flush tries again.
                with self._lock:
                    self._pending.extendleft(reversed(entries))
                    for grant_id, (last_used, uses) in usage.items():
                        _, more = self._usage.get(grant_id, (last_used, 0))
                        self._usage[grant_id] = (last_used, uses + more)
                log.warning("decision_log_flush_failed", error=str(exc), pending=len(entries))
                return 0
            return len(entries)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="decision-log-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception as exc:  # the writer must outlive any single failure
                log.warning("decision_log_writer_failed", error=str(exc))


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


def _insert_log_rows(session: Session, entries: list[_Entry]) -> None:
    """Insert `decision_log` rows: the OPA decision-log fields, input and result as JSON.

    Straight to the driver's `executemany` with plain tuples: through a Core insert each
    row cost 12-19 µs of CPU (dicts, type processing), under the GIL the request path
    needs, and answers stalled for up to 150 ms while the rows a burst of load had queued
    were written. The timestamp goes through the column type's own bind processing, as
    Core would.
    """
    connection = session.connection()
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
