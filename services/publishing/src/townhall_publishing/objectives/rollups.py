"""Daily counts of the additive metrics: kept per objective, day and directory group once
the day has settled, and read back so that a value or a breakdown cell recounts only the
days not yet settled (the last N days of an N-day window).

Those days are kept too, provisionally: a live read (a dashboard) recounts them once for
every group when their counts are older than the live delay, and otherwise reads them as
kept, so that its cost does not grow with the population (a cell is a sum of kept rows).
With no live delay, they are counted from the raw tables at each read, per cell.

The counts are the catalogue's own (`Additive.counts` over a one-day window), so a value
read from them equals the value computed over the whole period
(tests/objectives/test_rollups.py checks it for every additive metric).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from townhall_contracts.policy import GroupType
from townhall_contracts.publishing.objectives import MetricKey, Unit
from townhall_contracts.readers import group_principal

from .catalogue import CATALOGUE, MIN_PRIVACY_FLOOR, Additive, from_counts
from .facts import PolicyFacts
from .models import WHOLE_SCOPE, Objective, ObjectiveCount
from .repository import ObjectiveRepository
from .sources import Counts, KeptCounts, Measure, Window


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def additive(objective: Objective) -> tuple[Additive, int, Unit] | None:
    """The objective's counting (its metric's, its window N, its unit) if it is additive."""
    metric = CATALOGUE[MetricKey(objective.metric)]
    if metric.additive is None:
        return None
    n = objective.window if objective.window is not None else metric.definition.default_window
    return metric.additive, n or 0, metric.definition.unit


def _days(first: date, end: datetime) -> Iterator[date]:
    day = first
    while midnight(day) < end:
        yield day
        day += timedelta(days=1)


def counted_measure(
    facts: PolicyFacts,
    objective: Objective,
    *,
    people: frozenset[str],
    group_id: str,
    end: datetime,
    floor: int,
) -> Measure:
    """The additive objective's value over `people` from its first day until `end`: the
    kept counts of the days settled by `end`, the other spans counted from raw rows."""
    if len(people) < max(floor, MIN_PRIVACY_FLOOR):
        return Measure(None, len(people))
    key = ("measure", objective.id, group_id, end, len(people))
    return facts.remembered(key, lambda: _counted(facts, objective, people, group_id, end))


def _usable(
    row: KeptCounts | None, day: date, end: datetime, settles: timedelta, live: timedelta
) -> bool:
    """Whether a kept row stands for the day's counts as of `end`: settled by then, or
    provisional, counted before `end` and no longer than the live delay before it."""
    if row is None:
        return False
    if row.settled:
        return midnight(day + timedelta(days=1)) + settles <= end
    return live > timedelta(0) and row.as_of <= end <= row.as_of + live


def _counted(
    facts: PolicyFacts, objective: Objective, people: frozenset[str], group_id: str, end: datetime
) -> Measure:
    counting = additive(objective)
    assert counting is not None, "only additive metrics are counted"
    rule, n, unit = counting
    kept = facts.kept_counts(objective.id).get(group_id, {})
    settles = rule.settles_after(n)
    space = objective.scope_id if objective.scope_kind == "space" else None
    total = Counts()
    gap: date | None = None
    for day in _days(objective.starts_on, end):
        row = kept.get(day)
        if row is not None and _usable(row, day, end, settles, facts.live_for):
            if gap is not None:
                span = Window(midnight(gap), midnight(day), people, space, as_of=end)
                total += rule.counts(facts, span, n)
                gap = None
            total += row.counts
        elif gap is None:
            gap = day
    if gap is not None:
        total += rule.counts(facts, Window(midnight(gap), end, people, space), n)
    return Measure(from_counts(unit, total), len(people))


def _groups(
    facts: PolicyFacts, scope: frozenset[str], floor: int
) -> list[tuple[str, frozenset[str]]]:
    """The whole scope and every directory group within it that the floor lets show."""
    found = [(WHOLE_SCOPE, scope)]
    for group_type in GroupType:
        for group in facts.groups(group_type):
            people = facts.people([group_principal(group.id)]) & scope
            if len(people) >= max(floor, MIN_PRIVACY_FLOOR):
                found.append((group.id, people))
    return found


def keep_counts(
    facts: PolicyFacts,
    repository: ObjectiveRepository,
    objective: Objective,
    *,
    now: datetime,
    floor: int,
    provisional: bool = False,
) -> int:
    """Keep the counts of every settled day of the objective that has none yet (and, if
    `provisional`, of every day begun since, as of `now`); the days kept. Idempotent: a
    settled day once kept is never counted again."""
    counting = additive(objective)
    if counting is None:
        return 0
    rule, n, _unit = counting
    settles = rule.settles_after(n)
    space = objective.scope_id if objective.scope_kind == "space" else None
    groups = _groups(facts, facts.scope_people(objective.scope_kind, objective.scope_id), floor)
    done = repository.counted_days(objective.id, WHOLE_SCOPE)
    kept = 0
    day = objective.starts_on
    while day <= objective.ends_on and midnight(day) < now:
        settled = midnight(day + timedelta(days=1)) + settles <= now
        if not settled and not provisional:
            break
        if day not in done:
            end = min(midnight(day + timedelta(days=1)), now)
            rows = []
            for group_id, people in groups:
                counts = rule.counts(facts, Window(midnight(day), end, people, space, now), n)
                rows.append(
                    ObjectiveCount(
                        objective_id=objective.id,
                        day=day,
                        group_id=group_id,
                        part=counts.part,
                        whole=counts.whole,
                        computed_at=now,
                        settled=settled,
                    )
                )
            repository.add_counts(rows)
            kept += 1
        day += timedelta(days=1)
    facts.forget_counts(objective.id)
    return kept


def keep_live(
    facts: PolicyFacts,
    repository: ObjectiveRepository,
    objective: Objective,
    *,
    now: datetime,
    floor: int,
) -> None:
    """Before a live read: recount the days not settled yet, once for every group, when
    today's kept counts are missing or older than the live delay."""
    if facts.live_for <= timedelta(0) or additive(objective) is None:
        return
    if objective.closed_at is not None or now.date() > objective.ends_on:
        return
    today = facts.kept_counts(objective.id).get(WHOLE_SCOPE, {}).get(now.date())
    if today is not None and today.as_of <= now <= today.as_of + facts.live_for:
        return
    keep_counts(facts, repository, objective, now=now, floor=floor, provisional=True)
