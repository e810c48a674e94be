"""The status rule: the straight path from baseline to target, and its tolerance."""

from __future__ import annotations

from datetime import date

import pytest

from townhall_contracts.publishing.objectives import Direction, Status
from townhall_publishing.objectives.progress import expected, status

START, END = date(2026, 1, 1), date(2026, 1, 11)


def test_the_path_runs_from_baseline_to_target() -> None:
    path = {
        d: expected(baseline=0.5, target=0.9, starts_on=START, ends_on=END, day=date(2026, 1, d))
        for d in (1, 6, 11, 20)
    }
    assert path[1] == pytest.approx(0.5)
    assert path[6] == pytest.approx(0.7)
    assert path[11] == pytest.approx(0.9)
    assert path[20] == pytest.approx(0.9)
    assert expected(baseline=None, target=0.9, starts_on=START, ends_on=END, day=START) == 0.9


@pytest.mark.parametrize(
    ("value", "direction", "wanted"),
    [
        (0.80, Direction.AT_LEAST, Status.ON_TRACK),  # ahead of the path
        (0.67, Direction.AT_LEAST, Status.ON_TRACK),  # within one tolerance (0.04)
        (0.60, Direction.AT_LEAST, Status.AT_RISK),  # within three
        (0.50, Direction.AT_LEAST, Status.OFF_TRACK),
        (None, Direction.AT_LEAST, Status.NO_DATA),
        (0.60, Direction.AT_MOST, Status.ON_TRACK),  # lower is better
        (0.80, Direction.AT_MOST, Status.AT_RISK),
    ],
)
def test_status_against_the_path(value: float | None, direction: Direction, wanted: Status) -> None:
    assert status(value=value, path=0.7, baseline=0.5, target=0.9, direction=direction) == wanted
