"""An objective's values: today's, the daily series (rolled up once a day is over) and
the breakdown by directory group, each under the privacy floor rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from townhall_contracts.policy import GroupType
from townhall_contracts.publishing.objectives import (
    BreakdownCell,
    Direction,
    MetricKey,
    SeriesPoint,
)
from townhall_contracts.readers import group_principal

from .catalogue import COMPANY_ONLY, Measure, Window, measure
from .facts import PolicyFacts
from .models import WHOLE_SCOPE, Objective, ObjectivePoint
from .progress import expected
from .repository import ObjectiveRepository
from .rollups import additive, counted_measure, midnight

# The baseline looks back over the objective's own length, at most this far.
BASELINE_LOOKBACK = timedelta(days=90)


def _window(objective: Objective, end: datetime, people: frozenset[str]) -> Window:
    space = objective.scope_id if objective.scope_kind == "space" else None
    return Window(midnight(objective.starts_on), end, people, space)


def value_at(facts: PolicyFacts, objective: Objective, end: datetime, floor: int) -> Measure:
    """The metric from the objective's first day until `end`, over its scope's people."""
    people = facts.scope_people(objective.scope_kind, objective.scope_id)
    return _measured(facts, objective, people, WHOLE_SCOPE, end, floor)


def _measured(
    facts: PolicyFacts,
    objective: Objective,
    people: frozenset[str],
    group_id: str,
    end: datetime,
    floor: int,
) -> Measure:
    """From the kept daily counts where the metric is additive, else from the raw rows."""
    if additive(objective) is not None:
        return counted_measure(
            facts, objective, people=people, group_id=group_id, end=end, floor=floor
        )
    window = _window(objective, end, people)
    return measure(MetricKey(objective.metric), facts, window, objective.window, floor)


def baseline(
    facts: PolicyFacts,
    *,
    metric: MetricKey,
    window_n: int | None,
    scope: tuple[str, str | None],
    period: timedelta,
    now: datetime,
    floor: int,
) -> float | None:
    """The metric over the span before creation (as long as the objective, at most 90 days)."""
    people = facts.scope_people(*scope)
    lookback = min(period, BASELINE_LOOKBACK)
    space = scope[1] if scope[0] == "space" else None
    window = Window(now - lookback, now, people, space)
    return measure(metric, facts, window, window_n, floor).value


def _point(objective: Objective, day: date, value: float | None, people: int | None) -> SeriesPoint:
    path = expected(
        baseline=objective.baseline,
        target=objective.target,
        starts_on=objective.starts_on,
        ends_on=objective.ends_on,
        day=day,
    )
    return SeriesPoint(day=day, value=value, expected=path, population=people)


def _shown(measured: Measure, floor: int) -> int | None:
    return measured.population if measured.population >= floor else None


def series(
    facts: PolicyFacts,
    objectives: ObjectiveRepository,
    objective: Objective,
    *,
    first: date,
    last: date,
    now: datetime,
    floor: int,
) -> list[SeriesPoint]:
    """One point per day in [first, last] within the objective's period and up to today.

    Past days are read from the daily rollups, computed and kept when missing; today's
    value is live and not kept (the day is not over)."""
    today = now.date()
    first = max(first, objective.starts_on)
    last = min(last, objective.ends_on, today)
    kept = objectives.points(objective.id, first, last)
    missing: list[ObjectivePoint] = []
    points: list[SeriesPoint] = []
    day = first
    while day <= last:
        stored = kept.get(day)
        if stored is None:
            end = now if day == today else midnight(day + timedelta(days=1))
            measured = value_at(facts, objective, end, floor)
            stored = ObjectivePoint(
                objective_id=objective.id,
                day=day,
                value=measured.value,
                population=_shown(measured, floor),
                computed_at=now,
            )
            if day < today:
                missing.append(stored)
        points.append(_point(objective, day, stored.value, stored.population))
        day += timedelta(days=1)
    objectives.add_points(missing)
    return points


def breakdown(
    facts: PolicyFacts,
    objective: Objective,
    *,
    group_type: GroupType,
    end: datetime,
    floor: int,
) -> list[BreakdownCell]:
    """The objective's value per directory group of `group_type` within its scope, the
    lagging groups first; a group with fewer people than `floor` is shown without value
    nor head count."""
    scope = facts.scope_people(objective.scope_kind, objective.scope_id)
    cells: list[BreakdownCell] = []
    nobody = MetricKey(objective.metric) in COMPANY_ONLY
    for group in facts_groups(facts, group_type):
        if nobody:
            cells.append(_suppressed(group, "Its events name nobody: no value per group."))
            continue
        people = facts.people([group_principal(group[0])]) & scope
        if len(people) < floor:
            cells.append(
                BreakdownCell(
                    group_id=group[0],
                    group_name=group[1],
                    value=None,
                    population=None,
                    suppressed=True,
                    note=f"Fewer than {floor} people: not shown.",
                )
            )
            continue
        measured = _measured(facts, objective, people, group[0], end, floor)
        cells.append(
            BreakdownCell(
                group_id=group[0],
                group_name=group[1],
                value=measured.value,
                population=len(people),
            )
        )
    return sorted(cells, key=lambda c: _lag_order(c, objective))


def _suppressed(group: tuple[str, str], note: str) -> BreakdownCell:
    return BreakdownCell(
        group_id=group[0],
        group_name=group[1],
        value=None,
        population=None,
        suppressed=True,
        note=note,
    )


def facts_groups(facts: PolicyFacts, group_type: GroupType) -> list[tuple[str, str]]:
    return [(g.id, g.display_name) for g in facts.groups(group_type)]


def _lag_order(cell: BreakdownCell, objective: Objective) -> tuple[int, float]:
    """Groups with a value first, the furthest from the target first; then the others."""
    if cell.value is None:
        return (1, 0.0)
    higher_is_better = objective.direction == Direction.AT_LEAST.value
    return (0, cell.value if higher_is_better else -cell.value)
