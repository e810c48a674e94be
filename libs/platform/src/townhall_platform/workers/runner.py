"""The runner: one background job's daemon thread, its backoff, restarts and bookkeeping."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog

from .liveness import WorkerReport, probe, problem

_log = structlog.get_logger("townhall.workers")

# A tick answers the seconds until the next one (None: the worker's interval).
Tick = Callable[[], float | None]


class RetryLater(Exception):
    """A tick failed in a way it understands and knows when to try again.

    Counted and logged as a failure; the next tick comes after `after` seconds (the
    worker's own backoff when None).
    """

    def __init__(self, message: str, *, after: float | None = None) -> None:
        super().__init__(message)
        self.after = after


def _safe_log(method: Callable[..., Any], event: str, **fields: Any) -> None:
    """Log, unless logging itself fails (a full disk): a worker must outlive its log."""
    # Nowhere left to report it; the metrics still count the failure.
    with contextlib.suppress(Exception):
        method(event, **fields)


class Worker:
    """Calls `tick` from a daemon thread until stopped, surviving whatever it raises.

    `interval` is the pause between ticks that succeed; after a failure the pause is
    `initial_backoff * 2**(failures in a row - 1)`, at most `max_backoff`. `lag` and
    `pending` (optional, cheap and non-blocking) report the worker's backlog: the age of
    its oldest waiting item in seconds, and how many wait. Readiness fails when the
    thread is dead, when no tick succeeded for `stale_after` seconds, or when the lag
    exceeds `max_lag`.
    """

    def __init__(
        self,
        name: str,
        tick: Tick,
        *,
        interval: float,
        initial_backoff: float = 0.2,
        max_backoff: float = 30.0,
        stale_after: float | None = None,
        max_lag: float | None = None,
        lag: Callable[[], float | None] | None = None,
        pending: Callable[[], int | None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self._tick = tick
        self._interval = interval
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._stale_after = stale_after
        self._max_lag = max_lag
        self._lag = lag
        self._pending = pending
        self._clock = clock
        self._state_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        # Set by a thread as it ends, before it wakes the supervisor.
        self._thread_ended = threading.Event()
        self._on_exit: Callable[[], None] | None = None
        self._started_at: float | None = None
        self._last_success: float | None = None
        self._consecutive_failures = 0
        self._failures = 0
        self._restarts = 0
        self._ticks = 0
        self._last_error: str | None = None

    # Running

    def start(self) -> None:
        """Start the thread (a no-op while it runs)."""
        with self._state_lock:
            if self.alive:
                return
            self._stop.clear()
            self._start_thread(delay=0.0)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its tick and wait for it."""
        self._stop.set()
        self._wake.set()
        with self._state_lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wake(self) -> None:
        """Run the next tick now instead of at the end of the current pause."""
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._thread_ended.is_set()

    def restart_if_dead(self) -> bool:
        """Start a new thread when the last one died (not when stopped); True if so.

        The new thread waits the backoff of the failures in a row first: a worker that
        dies at once is not restarted in a tight loop.
        """
        with self._state_lock:
            if self._stop.is_set() or self._thread is None or self.alive:
                return False
            self._restarts += 1
            delay = self.backoff(self._consecutive_failures)
            self._start_thread(delay=delay)
        _safe_log(
            _log.warning,
            "worker_restarted",
            worker=self.name,
            restarts=self._restarts,
            first_tick_in_seconds=delay,
            last_error=self._last_error,
        )
        return True

    def backoff(self, failures_in_a_row: int) -> float:
        """Seconds to wait after the `failures_in_a_row`-th failure in a row (capped)."""
        if failures_in_a_row <= 0:
            return 0.0
        exponent = min(failures_in_a_row - 1, 32)
        return float(min(self._max_backoff, self._initial_backoff * 2**exponent))

    def run_tick(self) -> float:
        """One tick with its bookkeeping; answers the pause before the next.

        Called by the thread; tests call it directly to drive a worker step by step.
        """
        try:
            wait = self._tick()
        except RetryLater as exc:
            return self._failed(exc, after=exc.after)
        except Exception as exc:
            return self._failed(exc, after=None)
        with self._state_lock:
            self._ticks += 1
            self._last_success = self._clock()
            self._consecutive_failures = 0
            self._last_error = None
        return self._interval if wait is None else max(wait, 0.0)

    def _failed(self, exc: Exception, *, after: float | None) -> float:
        error = f"{type(exc).__name__}: {exc}"
        with self._state_lock:
            self._ticks += 1
            self._failures += 1
            self._consecutive_failures += 1
            self._last_error = error
            failures_in_a_row = self._consecutive_failures
        wait = self.backoff(failures_in_a_row) if after is None else max(after, 0.0)
        method = _log.warning if isinstance(exc, RetryLater) else _log.exception
        _safe_log(
            method,
            "worker_tick_failed",
            worker=self.name,
            failures_in_a_row=failures_in_a_row,
            retry_in_seconds=wait,
            error=error,
        )
        return wait

    def _start_thread(self, *, delay: float) -> None:
        self._started_at = self._clock()
        self._thread_ended = ended = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(delay, ended),
            name=f"townhall-worker-{self.name}",
            daemon=True,
        )
        self._thread.start()

    def _run(self, delay: float, ended: threading.Event) -> None:
        try:
            self._pause(delay)
            while not self._stop.is_set():
                self._pause(self.run_tick())
        except BaseException as exc:
            # Ends the thread (a tick's own errors never get here); the supervisor
            # starts a new one.
            with self._state_lock:
                self._consecutive_failures += 1
                self._failures += 1
                self._last_error = f"{type(exc).__name__}: {exc}"
            _safe_log(_log.error, "worker_thread_died", worker=self.name, error=self._last_error)
        finally:
            ended.set()
            on_exit = self._on_exit
            if on_exit is not None and not self._stop.is_set():
                on_exit()

    def _pause(self, seconds: float) -> None:
        if (seconds > 0 and self._wake.wait(seconds)) or self._wake.is_set():
            self._wake.clear()

    # Reporting

    def report(self) -> WorkerReport:
        """The worker's liveness and lag now (the probes' errors read as unknown)."""
        lag = probe(self._lag)
        pending = probe(self._pending)
        with self._state_lock:
            return WorkerReport(
                name=self.name,
                alive=self.alive,
                last_success=self._last_success,
                started_at=self._started_at,
                consecutive_failures=self._consecutive_failures,
                failures=self._failures,
                restarts=self._restarts,
                ticks=self._ticks,
                last_error=self._last_error,
                lag_seconds=float(lag) if lag is not None else None,
                pending=int(pending) if pending is not None else None,
            )

    def problem(self) -> str | None:
        """Why this worker makes its instance not ready, or None while it is fine."""
        if self._started_at is None or self._stop.is_set():
            return None
        return problem(
            self.report(),
            now=self._clock(),
            stale_after=self._stale_after,
            max_lag=self._max_lag,
        )
