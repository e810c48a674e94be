"""Writes a checkpoint every `interval` seconds while the trail grows.

The schedule runs as a platform `Worker` (`worker`, added to the service's worker group):
a failed write is logged, counted in the metrics and retried after a backoff, and a dead
thread is restarted. `tick(now)` is one scheduled step; tests drive it, and the worker,
with a clock of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy.engine import Engine

from townhall_platform.db import session_scope
from townhall_platform.workers import Worker
from townhall_policy.audit.checkpoints import Checkpoint, write_checkpoint
from townhall_policy.audit.keys import AuditKeyring
from townhall_policy.timestamps import utcnow

log = structlog.get_logger("townhall.policy.audit.checkpoints")

WORKER_NAME = "audit-checkpoints"


@dataclass
class CheckpointStatus:
    """What the scheduler last did, for logs and tests (the worker's report has the rest)."""

    runs: int = 0
    written: int = 0
    failures: int = 0
    last_seq: int | None = None
    last_error: str | None = None


class CheckpointScheduler:
    """Checkpoints the audit trail's head on a schedule (first at start)."""

    def __init__(
        self,
        database: Engine,
        keyring: AuditKeyring,
        directory: Path,
        *,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._keyring = keyring
        self._directory = directory
        self._interval = interval
        self._clock = clock
        self._next_due: float | None = None
        self.status = CheckpointStatus()
        self.worker = Worker(
            WORKER_NAME,
            self._scheduled,
            interval=interval,
            initial_backoff=min(interval, 1.0),
            max_backoff=interval,
        )

    def tick(self, now: float) -> Checkpoint | None:
        """Write a checkpoint if one is due at `now` (monotonic seconds); raise if it fails.

        Nothing is due before `interval` after the last success; after a failure, the next
        tick tries again.
        """
        if self._next_due is not None and now < self._next_due:
            return None
        self.status.runs += 1
        try:
            with session_scope(self._database) as session:
                written = write_checkpoint(session, self._keyring, self._directory, now=utcnow())
        except Exception as exc:
            self.status.failures += 1
            self.status.last_error = str(exc)
            raise
        self._next_due = now + self._interval
        self.status.last_error = None
        if written is not None:
            self.status.written += 1
            self.status.last_seq = written.seq
            log.info("audit_checkpoint_written", seq=written.seq, trail=written.trail_id)
        return written

    def checkpoint_now(self) -> Checkpoint | None:
        """Write a checkpoint of the head now, unless the trail did not grow; raise if it fails."""
        self._next_due = None
        return self.tick(self._clock())

    def checkpoint_at_start(self) -> Checkpoint | None:
        """The checkpoint of the head found at start; a failure is logged (the worker retries)."""
        try:
            return self.checkpoint_now()
        except Exception as exc:
            log.error("audit_checkpoint_failed", error=str(exc))
            return None

    @property
    def alive(self) -> bool:
        """True while the scheduling thread runs (for liveness checks)."""
        return self.worker.alive

    def _scheduled(self) -> float:
        self.tick(self._clock())
        assert self._next_due is not None
        return max(0.0, self._next_due - self._clock())
