"""Where an objective should be on a given day, and whether it is on track.

The path is the straight line from the baseline on the first day to the target on the
last. The tolerance is a tenth of the distance from baseline to target (or of the target
when there is no baseline). On track: no further behind the path than the tolerance; at
risk: up to three tolerances behind; off track: further. Ahead of the path is on track.
"""

from __future__ import annotations

from datetime import date

from townhall_contracts.publishing.objectives import Direction, Status

STATUS_RULE = (
    "The path runs straight from the baseline on the first day to the target on the last. "
    "Tolerance: a tenth of |target - baseline| (of |target| without a baseline). On track: "
    "no further behind the path than the tolerance; at risk: up to three tolerances behind; "
    "off track: further behind."
)
_SMALLEST_TOLERANCE = 1e-9


def expected(
    *, baseline: float | None, target: float, starts_on: date, ends_on: date, day: date
) -> float:
    """The path's value on `day` (the baseline before the start, the target after the end)."""
    if baseline is None:
        return target
    length = (ends_on - starts_on).days
    progress = min(max((day - starts_on).days / length, 0.0), 1.0) if length > 0 else 1.0
    return baseline + (target - baseline) * progress


def status(
    *,
    value: float | None,
    path: float,
    baseline: float | None,
    target: float,
    direction: Direction,
) -> Status:
    if value is None:
        return Status.NO_DATA
    span = abs(target - baseline) if baseline is not None else abs(target)
    tolerance = max(span / 10, _SMALLEST_TOLERANCE)
    behind = path - value if direction == Direction.AT_LEAST else value - path
    if behind <= tolerance:
        return Status.ON_TRACK
    if behind <= 3 * tolerance:
        return Status.AT_RISK
    return Status.OFF_TRACK
