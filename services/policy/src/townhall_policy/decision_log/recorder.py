"""Writes logged decisions and grant usage in the background, in batches.

Deciding never waits for the database: decisions to log and grant uses are queued in
memory and flushed by a thread every `interval` seconds (and on demand, before the
log is queried, and when the service stops).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from townhall_policy.decision_log.models import DecisionLogEntry, GrantUsage
from townhall_policy.timestamps import utcnow

if TYPE_CHECKING:
    from townhall_contracts.policy import Decision

log = structlog.get_logger("townhall.policy.decision_log")

# Beyond this many unwritten entries the oldest are dropped (and counted) rather than
# letting memory grow without bound while the database is unreachable.
MAX_PENDING = 100_000


class DecisionRecorder:
    """Queues decision-log entries and grant uses; a thread writes them in batches."""

    def __init__(self, database: Engine, *, interval: float = 0.5) -> None:
        self._database = database
        self._interval = interval
        self._pending: deque[DecisionLogEntry] = deque(maxlen=MAX_PENDING)
        self._usage: dict[str, tuple[datetime, int]] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def log(self, decision: Decision, *, requested_by: str) -> None:
        """Queue one decision for the log, with the fields of OPA's decision logs."""
        entry = DecisionLogEntry(
            decision_id=decision.decision_id,
            timestamp=utcnow(),
            subject=decision.subject,
            action=decision.action,
            domain=decision.domain,
            allowed=decision.allowed,
            policy_revision=decision.policy_revision,
            requested_by=requested_by,
            input=json.dumps(
                {"subject": decision.subject, "action": decision.action, "domain": decision.domain}
            ),
            result=json.dumps(
                {"allowed": decision.allowed, "reason": decision.reason.model_dump(mode="json")}
            ),
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
                    session.add_all(entries)
                    if usage:
                        existing = {
                            u.grant_id: u
                            for u in session.exec(
                                select(GrantUsage).where(col(GrantUsage.grant_id).in_(list(usage)))
                            ).all()
                        }
                        for grant_id, (last_used, uses) in usage.items():
                            row = existing.get(grant_id)
                            if row is None:
                                session.add(
                                    GrantUsage(grant_id=grant_id, last_used_at=last_used, uses=uses)
                                )
                            else:
                                row.last_used_at = max(row.last_used_at, last_used)
                                row.uses += uses
                                session.add(row)
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
