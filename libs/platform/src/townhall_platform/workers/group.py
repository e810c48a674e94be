"""A service's workers together: started, supervised, stopped, and reported as one."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry

from ..health import NotReady
from .metrics import WorkerCollector
from .runner import Worker


class WorkerGroup:
    """A service's workers: started, supervised and stopped together, and reported.

    The supervisor thread is woken by a worker thread's exit and restarts what died; a
    poll every `check_interval` seconds is the backstop.
    """

    def __init__(self, workers: Iterable[Worker] = (), *, check_interval: float = 1.0) -> None:
        self._workers: list[Worker] = []
        self._check_interval = check_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        for worker in workers:
            self.add(worker)

    def add(self, worker: Worker) -> Worker:
        """Add `worker` to the group (it starts with the group)."""
        worker._on_exit = self._wake.set
        self._workers.append(worker)
        return worker

    @property
    def workers(self) -> Sequence[Worker]:
        return tuple(self._workers)

    def start(self) -> None:
        """Start every worker and the supervisor."""
        self._stop.clear()
        for worker in self._workers:
            worker.start()
        if self._supervisor is None or not self._supervisor.is_alive():
            self._supervisor = threading.Thread(
                target=self._supervise, name="townhall-worker-supervisor", daemon=True
            )
            self._supervisor.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the supervisor, then every worker (each finishes its tick)."""
        self._stop.set()
        self._wake.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout)
            self._supervisor = None
        for worker in self._workers:
            worker.stop(timeout)

    def revive(self) -> list[str]:
        """Restart the workers whose thread died; answers their names."""
        return [worker.name for worker in self._workers if worker.restart_if_dead()]

    def _supervise(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._check_interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            # The supervisor outlives anything: the next pass tries again.
            with contextlib.suppress(Exception):
                self.revive()

    def problems(self) -> dict[str, str]:
        """The workers that make this instance not ready, with why."""
        found: dict[str, str] = {}
        for worker in self._workers:
            problem = worker.problem()
            if problem is not None:
                found[worker.name] = problem
        return found

    def readiness(self) -> bool:
        """The readiness check: True, or `NotReady` saying which workers fail and why."""
        problems = self.problems()
        if problems:
            raise NotReady("; ".join(problems.values()))
        return True

    def register_metrics(self, registry: CollectorRegistry) -> None:
        """Expose every worker's liveness and lag in `registry`, read at scrape time."""
        registry.register(WorkerCollector(lambda: [worker.report() for worker in self._workers]))
