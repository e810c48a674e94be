"""An objective's latest value against the value a week earlier, from its series."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from townhall_contracts.publishing.objectives import SeriesPoint
from townhall_portal.pages.objective_comparison import week_on_week

FIRST = date(2026, 11, 20)


def _points(values: list[float | None]) -> list[SeriesPoint]:
    return [
        SeriesPoint(day=FIRST + timedelta(days=n), value=v, expected=0.5, population=None)
        for n, v in enumerate(values)
    ]


def test_the_latest_value_against_the_day_a_week_before() -> None:
    found = week_on_week(_points([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, None]))
    assert found is not None
    assert (found.day, found.value) == (FIRST + timedelta(days=8), 0.9)
    assert (found.before_day, found.before) == (FIRST + timedelta(days=1), 0.2)
    assert found.change == pytest.approx(0.7)


def test_no_change_without_a_value_a_week_before_and_nothing_without_values() -> None:
    short = week_on_week(_points([None, 0.4, 0.5]))
    assert short is not None and short.before is None and short.change is None
    hidden = week_on_week(_points([None] * 3 + [0.6] * 5))
    assert hidden is not None and (hidden.before, hidden.change) == (None, None)
    assert week_on_week(_points([None, None])) is None
