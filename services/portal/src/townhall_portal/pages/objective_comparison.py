"""An objective's value now against its value a week earlier, from its daily series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from townhall_contracts.publishing.objectives import SeriesPoint

WEEK = 7


@dataclass(frozen=True)
class Comparison:
    day: date
    value: float
    before_day: date
    before: float | None
    change: float | None


def week_on_week(points: list[SeriesPoint], days: int = WEEK) -> Comparison | None:
    """The last day with a value against the day `days` earlier (its value may be none,
    under the privacy floor or before any data); none without a value at all."""
    shown = [p for p in points if p.value is not None]
    if not shown:
        return None
    last = shown[-1]
    assert last.value is not None
    before_day = last.day - timedelta(days=days)
    earlier = next((p.value for p in points if p.day == before_day), None)
    change = last.value - earlier if earlier is not None else None
    return Comparison(last.day, last.value, before_day, earlier, change)
