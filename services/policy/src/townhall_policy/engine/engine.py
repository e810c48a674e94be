"""The policy engine: the current snapshot, atomic reloads, and a watcher thread.

One engine per process. It updates its snapshot
- at once after a change made through this instance (the request commits, then updates),
- when the revision row moves (another instance changed something; polled),
- when a grant's validity starts or ends (the snapshot knows its next boundary).

An update applies only what changed since the loaded revision, read from the audit
trail, to a copy of the snapshot; a full reload remains the fallback when the changes
cannot be applied one by one.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from townhall_platform.errors import DependencyUnavailable
from townhall_platform.runtime import tune_for_serving
from townhall_platform.workers import RetryLater, Worker, WorkerGroup
from townhall_policy.decision_log.recorder import DecisionRecorder
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.loader import (
    InconsistentRead,
    load_changes,
    load_policy_data,
    read_revision,
)
from townhall_policy.timestamps import utcnow

log = structlog.get_logger("townhall.policy.engine")


class PolicyEngine:
    """Holds the snapshot decisions are made on and keeps it current."""

    def __init__(
        self,
        database: Engine,
        *,
        poll_seconds: float = 0.5,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._database = database
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._snapshot: PolicySnapshot | None = None
        self._swap_lock = threading.Lock()
        # Reentrant: an update falls back to a full reload while holding it.
        self._reload_lock = threading.RLock()
        # Decisions to log (written before they are answered) and grant uses (batched).
        self.recorder = DecisionRecorder(database)
        # The revision watcher: not ready when it could not poll for a minute (this
        # instance would miss changes made through the others).
        self.watcher = Worker(
            "revision-watcher",
            self._poll_tick,
            interval=poll_seconds,
            initial_backoff=poll_seconds,
            max_backoff=max(poll_seconds, 5.0),
            stale_after=60.0,
        )
        self.workers = WorkerGroup([self.watcher, self.recorder.worker])

    @property
    def loaded_revision(self) -> int | None:
        snapshot = self._snapshot
        return snapshot.revision if snapshot is not None else None

    def current(self) -> PolicySnapshot:
        """The snapshot to decide on; reloaded first if a grant started or ended since."""
        snapshot = self._snapshot
        if snapshot is None:
            return self.reload()
        if snapshot.next_boundary is not None and self._clock() >= snapshot.next_boundary:
            return self.update()
        return snapshot

    def reload(self) -> PolicySnapshot:
        """Build a new snapshot from every row, then publish it by swapping the reference."""
        with self._reload_lock:
            try:
                snapshot = PolicySnapshot.build(load_policy_data(self._database, now=self._clock()))
            except (SQLAlchemyError, InconsistentRead) as exc:
                raise DependencyUnavailable(f"The policy store could not be read: {exc}") from exc
            return self._publish(snapshot)

    def update(self) -> PolicySnapshot:
        """Apply the changes since the loaded revision to a copy; a full reload if need be."""
        with self._reload_lock:
            previous = self._snapshot
            if previous is None:
                return self.reload()
            now = self._clock()
            try:
                changes = load_changes(self._database, previous, now=now)
            except (SQLAlchemyError, InconsistentRead) as exc:
                raise DependencyUnavailable(f"The policy store could not be read: {exc}") from exc
            if changes is None:
                log.info("policy_full_reload", revision=previous.revision)
                return self.reload()
            if changes.revision == previous.revision and not changes.subjects:
                return previous
            return self._publish(previous.apply(changes, now=now))

    def _publish(self, snapshot: PolicySnapshot) -> PolicySnapshot:
        """Swap the reference: checks on the previous snapshot finish on it undisturbed."""
        with self._reload_lock:
            # A snapshot is hundreds of thousands of long-lived objects at scale; freezing
            # them keeps the cyclic collector from walking them during decisions. Old
            # snapshots are still freed by reference counting.
            gc.freeze()
            with self._swap_lock:
                previous = self._snapshot
                self._snapshot = snapshot
        if previous is None or previous.revision != snapshot.revision:
            log.info(
                "policy_loaded",
                revision=snapshot.revision,
                previous_revision=previous.revision if previous else None,
                next_boundary=snapshot.next_boundary.isoformat()
                if snapshot.next_boundary
                else None,
            )
        return snapshot

    def refresh_if_stale(self) -> PolicySnapshot:
        """The current snapshot, first reloaded if the database holds a newer revision.

        Used where an answer is cached by its revision (principals, the revision itself)
        and for changes to grants, which must rest on the latest state.
        """
        try:
            stored = read_revision(self._database)
        except SQLAlchemyError as exc:
            raise DependencyUnavailable(f"The policy store could not be read: {exc}") from exc
        snapshot = self.current()
        if snapshot.revision != stored:
            return self.update()
        return snapshot

    def ready(self) -> bool:
        """True once a snapshot is loaded (loading one now if needed)."""
        try:
            self.current()
        except DependencyUnavailable:
            return False
        return True

    def start(self) -> None:
        """Load the policy and start watching the revision row in a background thread."""
        if self.watcher.alive:
            return
        tune_for_serving()
        try:
            self.reload()
        except DependencyUnavailable as exc:
            # The watcher keeps trying; readiness reports the policy as not loaded meanwhile.
            log.warning("policy_initial_load_failed", error=str(exc))
        self.workers.start()

    def stop(self) -> None:
        """Stop the workers and write what the recorder still holds."""
        self.workers.stop(timeout=5)
        self.recorder.flush()

    def _poll_tick(self) -> float | None:
        try:
            self.poll()
        except DependencyUnavailable as exc:
            # Expected while the database is away: a warning, and the worker's backoff.
            raise RetryLater(str(exc)) from exc
        return None

    def poll(self) -> None:
        """Reload when the stored revision moved or a validity boundary passed."""
        snapshot = self._snapshot
        if snapshot is None:
            self.reload()
            return
        boundary_passed = (
            snapshot.next_boundary is not None and self._clock() >= snapshot.next_boundary
        )
        if boundary_passed or read_revision(self._database) != snapshot.revision:
            self.update()
