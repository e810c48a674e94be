"""What a worker says about itself, and when that makes its instance not ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerReport:
    """What a worker says about itself at one instant."""

    name: str
    alive: bool
    # Wall-clock seconds (epoch) of the last tick that did not fail; None before the first.
    last_success: float | None
    started_at: float | None
    consecutive_failures: int
    failures: int
    restarts: int
    ticks: int
    last_error: str | None
    # Seconds the worker's own backlog waits (None when it keeps none).
    lag_seconds: float | None
    pending: int | None


def problem(
    report: WorkerReport, *, now: float, stale_after: float | None, max_lag: float | None
) -> str | None:
    """Why a started worker makes its instance not ready, or None while it is fine.

    Not ready when the thread is dead, when no tick succeeded for `stale_after` seconds
    (counted from the start before the first success), or when the lag exceeds `max_lag`.
    """
    if not report.alive:
        return f"{report.name}: the thread died ({report.last_error}); restarting"
    if stale_after is not None:
        since = report.last_success if report.last_success is not None else report.started_at
        assert since is not None
        quiet = now - since
        if quiet > stale_after:
            return (
                f"{report.name}: no successful run for {quiet:.0f} s "
                f"({report.consecutive_failures} failures in a row; last: {report.last_error})"
            )
    if max_lag is not None and report.lag_seconds is not None and report.lag_seconds > max_lag:
        pending = f", {report.pending} pending" if report.pending is not None else ""
        return f"{report.name}: lag {report.lag_seconds:.0f} s over {max_lag:.0f} s{pending}"
    return None


def probe(read: Callable[[], float | int | None] | None) -> float | int | None:
    """A backlog probe's answer; a probe that fails reads as unknown."""
    if read is None:
        return None
    try:
        return read()
    except Exception:
        return None
