"""Readiness checks run off the event loop, each with a short deadline, answers cached briefly.

A check may be slow exactly when it matters (a frozen database, a dependency that
accepts connections and never answers). Run on the event loop, it would stall every
request of the process; run in the request threads, it would wait behind them. So a
synchronous check runs in a thread of its own small pool, and any check that has not
answered within `CHECK_DEADLINE_SECONDS` counts as failed (its thread is abandoned and
finishes on its own). Results are reused for `CACHE_SECONDS` and concurrent probes
share one evaluation, so a probe storm costs the checks once per interval.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Mapping

import anyio
import structlog
from anyio import to_thread

ReadinessCheck = Callable[[], Awaitable[bool] | bool]

CHECK_DEADLINE_SECONDS = 1.0
CACHE_SECONDS = 1.0
# Threads for synchronous checks, apart from the request threads. A check abandoned at
# its deadline keeps its thread until it returns; once all are taken, checks fail fast.
CHECK_THREADS = 8

log = structlog.get_logger("townhall.health")


class NotReady(Exception):
    """Raised by a readiness check to say why the instance should not take traffic."""


class Readiness:
    """Evaluates named checks; `results()` is what `/readyz` reports."""

    def __init__(
        self,
        checks: Mapping[str, ReadinessCheck],
        *,
        deadline_seconds: float = CHECK_DEADLINE_SECONDS,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Kept as given: a service may add checks after the app is built.
        self.checks = checks
        self._deadline = deadline_seconds
        self._cache = cache_seconds
        self._clock = clock
        self._cached: tuple[float, dict[str, bool]] | None = None
        self._reasons: dict[str, str] = {}
        self._lock: anyio.Lock | None = None
        self._limiter: anyio.CapacityLimiter | None = None

    async def results(self) -> dict[str, bool]:
        """Each check's outcome, evaluated at most once per `cache_seconds`."""
        if self._lock is None:
            self._lock = anyio.Lock()
            self._limiter = anyio.CapacityLimiter(CHECK_THREADS)
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._fresh()
            if cached is not None:
                return cached
            outcomes: dict[str, bool] = {}
            reasons: dict[str, str] = {}
            async with anyio.create_task_group() as group:
                for name, check in self.checks.items():
                    group.start_soon(self._run, name, check, outcomes, reasons)
            results = {name: outcomes.get(name, False) for name in self.checks}
            self._cached = (self._clock(), results)
            self._reasons = reasons
            return results

    def reasons(self) -> dict[str, str]:
        """Why the checks of the last evaluation that said so (`NotReady`) failed."""
        return dict(self._reasons)

    def _fresh(self) -> dict[str, bool] | None:
        if self._cached is None or self._clock() - self._cached[0] >= self._cache:
            return None
        return dict(self._cached[1])

    async def _run(
        self,
        name: str,
        check: ReadinessCheck,
        outcomes: dict[str, bool],
        reasons: dict[str, str],
    ) -> None:
        outcome = False
        with anyio.move_on_after(self._deadline) as scope:
            try:
                if inspect.iscoroutinefunction(check):
                    answer = await check()
                else:
                    answer = await to_thread.run_sync(
                        check, limiter=self._limiter, abandon_on_cancel=True
                    )
                    if inspect.isawaitable(answer):
                        answer = await answer
                outcome = bool(answer)
            except NotReady as exc:
                reasons[name] = str(exc)
            except Exception as exc:
                log.warning("readiness_check_failed", check=name, error=repr(exc))
        if scope.cancelled_caught:
            log.warning("readiness_check_timed_out", check=name, deadline=self._deadline)
        outcomes[name] = outcome
