"""Writes a checkpoint every `interval` seconds while the trail grows.

`tick(now)` does one scheduled step and is what the thread calls; tests drive it with
their own clock. A failed write is logged and retried at the next tick: the thread
never dies of its own errors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy.engine import Engine

from townhall_platform.db import session_scope
from townhall_policy.audit.checkpoints import Checkpoint, write_checkpoint
from townhall_policy.audit.keys import AuditKeyring
from townhall_policy.timestamps import utcnow

log = structlog.get_logger("townhall.policy.audit.checkpoints")


@dataclass
class CheckpointStatus:
    """What the scheduler last did, for logs, metrics and tests."""

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
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = CheckpointStatus()

    def tick(self, now: float) -> Checkpoint | None:
        """Write a checkpoint if one is due at `now` (monotonic seconds); else nothing."""
        if self._next_due is not None and now < self._next_due:
            return None
        self._next_due = now + self._interval
        return self.checkpoint_now()

    def checkpoint_now(self) -> Checkpoint | None:
        """Write a checkpoint of the head now, unless the trail did not grow."""
        self.status.runs += 1
        try:
            with session_scope(self._database) as session:
                written = write_checkpoint(session, self._keyring, self._directory, now=utcnow())
        except Exception as exc:  # logged and retried: the schedule must outlive errors
            self.status.failures += 1
            self.status.last_error = str(exc)
            log.error("audit_checkpoint_failed", error=str(exc))
            return None
        self.status.last_error = None
        if written is not None:
            self.status.written += 1
            self.status.last_seq = written.seq
            log.info("audit_checkpoint_written", seq=written.seq, trail=written.trail_id)
        return written

    @property
    def alive(self) -> bool:
        """True while the scheduling thread runs (for liveness checks)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Checkpoint the head found at start, then every `interval` in a thread."""
        if self._thread is not None:
            return
        self.tick(self._clock())
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick(self._clock())
            wait = (self._next_due or 0) - self._clock()
            self._stop.wait(max(0.05, min(wait, self._interval)))
