"""An objective as the API answers it: its fields, today's value, the path and status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from townhall_contracts.policy import GroupType
from townhall_contracts.publishing.objectives import (
    BreakdownCell,
    Cadence,
    Direction,
    Lever,
    MetricKey,
    ObjectiveExportRow,
    ObjectiveRead,
    ObjectiveSeries,
    ObjectiveState,
    Outcome,
    Scope,
    ScopeKind,
    SeriesPoint,
)
from townhall_contracts.publishing.objectives import (
    ObjectiveChange as ChangeRead,
)

from .catalogue import CATALOGUE
from .facts import PolicyFacts
from .measuring import value_at
from .models import Objective, ObjectiveChange
from .progress import STATUS_RULE, expected, status
from .repository import ObjectiveRepository
from .rollups import keep_live


def present(
    objective: Objective,
    changes: Sequence[ObjectiveChange],
    facts: PolicyFacts,
    *,
    now: datetime,
    floor: int,
) -> ObjectiveRead:
    metric = MetricKey(objective.metric)
    # A closed objective is shown as it stood when it closed.
    end = min(now, objective.closed_at) if objective.closed_at else now
    keep_live(facts, ObjectiveRepository(facts.session), objective, now=now, floor=floor)
    value = value_at(facts, objective, end, floor).value
    path = expected(
        baseline=objective.baseline,
        target=objective.target,
        starts_on=objective.starts_on,
        ends_on=objective.ends_on,
        day=end.date(),
    )
    direction = Direction(objective.direction)
    return ObjectiveRead(
        id=objective.id,
        name=objective.name,
        owner_id=objective.owner_id,
        scope=Scope(kind=ScopeKind(objective.scope_kind), id=objective.scope_id),
        metric=metric,
        unit=CATALOGUE[metric].definition.unit,
        window=objective.window,
        target=objective.target,
        direction=direction,
        starts_on=objective.starts_on,
        ends_on=objective.ends_on,
        cadence=Cadence(objective.cadence),
        baseline=objective.baseline,
        baseline_at=objective.baseline_at,
        state=ObjectiveState(objective.state),
        outcome=Outcome(objective.outcome) if objective.outcome else None,
        closed_at=objective.closed_at,
        created_by=objective.created_by,
        created_at=objective.created_at,
        updated_at=objective.updated_at,
        value=value,
        expected=path,
        status=status(
            value=value,
            path=path,
            baseline=objective.baseline,
            target=objective.target,
            direction=direction,
        ),
        history=[ChangeRead(at=c.at, by=c.by, changes=c.changes, reason=c.reason) for c in changes],
    )


def series_of(
    objective: Objective,
    points: list[SeriesPoint],
    by: GroupType | None,
    cells: list[BreakdownCell],
    to_act_on: list[Lever],
) -> ObjectiveSeries:
    metric = MetricKey(objective.metric)
    last = next((p for p in reversed(points) if p.value is not None), None)
    return ObjectiveSeries(
        objective_id=objective.id,
        unit=CATALOGUE[metric].definition.unit,
        target=objective.target,
        status=status(
            value=last.value if last else None,
            path=last.expected if last and last.expected is not None else objective.target,
            baseline=objective.baseline,
            target=objective.target,
            direction=Direction(objective.direction),
        ),
        status_rule=STATUS_RULE,
        points=points,
        breakdown_by=by.value if by else None,
        breakdown=cells,
        levers=to_act_on,
    )


def export_row(objective: ObjectiveRead) -> ObjectiveExportRow:
    """An objective flattened for the BI export: its scope split in two columns."""
    fields = objective.model_dump(include=set(ObjectiveExportRow.model_fields))
    return ObjectiveExportRow(
        **fields, scope_kind=objective.scope.kind, scope_id=objective.scope.id
    )
