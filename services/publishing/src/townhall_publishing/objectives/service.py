"""Objectives: define, read, edit with history, close; policy decides who may do each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action, GroupType, space_domain
from townhall_contracts.publishing.objectives import (
    MetricDefinition,
    MetricKey,
    ObjectiveClose,
    ObjectiveCreate,
    ObjectiveList,
    ObjectivePatch,
    ObjectiveRead,
    ObjectiveSeries,
    ObjectiveState,
    ScopeKind,
)
from townhall_contracts.readers import user_principal

from ..policy_gate import PolicyGate
from ..spaces.errors import SpaceNotFound
from ..spaces.service import get_visible_space
from . import measuring
from .catalogue import CATALOGUE, COMPANY_ONLY
from .errors import (
    InvalidObjective,
    ObjectiveClosed,
    ObjectiveNotFound,
    TargetOutOfRange,
    UnknownScope,
)
from .facts import PolicyFacts
from .levers import levers
from .models import Objective, ObjectiveChange
from .presenters import present, series_of
from .repository import ObjectiveRepository
from .rollups import keep_counts, keep_live

# One series request covers at most this many days (a year and a bit).
MAX_SERIES_DAYS = 400


def metrics() -> list[MetricDefinition]:
    return [metric.definition for metric in CATALOGUE.values()]


def _domain(kind: str, scope_id: str | None) -> str:
    return space_domain(scope_id) if kind == ScopeKind.SPACE.value and scope_id else ORG_DOMAIN


def _check_scope(session: Session, gate: PolicyGate, actor: str, request: ObjectiveCreate) -> None:
    if request.scope.kind == ScopeKind.SPACE and request.scope.id is not None:
        try:
            get_visible_space(session=session, gate=gate, subject=actor, space_id=request.scope.id)
        except SpaceNotFound as missing:
            raise UnknownScope(f"No space '{request.scope.id}'.") from missing
    groups = {g.id for g in gate.groups()} if request.scope.kind == ScopeKind.GROUP else set()
    if request.scope.kind == ScopeKind.GROUP and request.scope.id not in groups:
        raise UnknownScope(f"No directory group '{request.scope.id}'.")


def _check_target(metric: MetricKey, target: float, window: int | None) -> None:
    definition = CATALOGUE[metric].definition
    if target < definition.minimum or (
        definition.maximum is not None and target > definition.maximum
    ):
        top = "" if definition.maximum is None else f" and at most {definition.maximum:g}"
        raise TargetOutOfRange(
            f"The target of '{metric.value}' must be at least {definition.minimum:g}{top}."
        )
    if window is not None and definition.window is None:
        raise InvalidObjective(f"The metric '{metric.value}' takes no window.")


def _check_owner(gate: PolicyGate, owner: str) -> None:
    if not gate.audience([user_principal(owner)], author=""):
        raise InvalidObjective(f"No active user '{owner}' to own the objective.")


def create(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    request: ObjectiveCreate,
    now: datetime,
    floor: int,
) -> ObjectiveRead:
    """A new objective with its baseline measured now; nothing is written on a refusal."""
    _check_scope(session, gate, actor, request)
    gate.require(
        subject=actor,
        action=Action.OBJECTIVE_DEFINE,
        domain=_domain(request.scope.kind.value, request.scope.id),
    )
    _check_target(request.metric, request.target, request.window)
    if request.metric in COMPANY_ONLY and request.scope.kind != ScopeKind.COMPANY:
        raise InvalidObjective(
            f"The metric '{request.metric.value}' names nobody: it is measured company-wide only."
        )
    owner = request.owner_id or actor
    _check_owner(gate, owner)
    definition = CATALOGUE[request.metric].definition
    facts = PolicyFacts(session, gate)
    objective = Objective(
        id=str(uuid.uuid4()),
        name=request.name,
        owner_id=owner,
        scope_kind=request.scope.kind.value,
        scope_id=request.scope.id,
        metric=request.metric.value,
        window=request.window if request.window is not None else definition.default_window,
        target=request.target,
        direction=(request.direction or definition.better).value,
        starts_on=request.starts_on,
        ends_on=request.ends_on,
        cadence=request.cadence.value,
        baseline=measuring.baseline(
            facts,
            metric=request.metric,
            window_n=request.window,
            scope=(request.scope.kind.value, request.scope.id),
            period=request.ends_on - request.starts_on,
            now=now,
            floor=floor,
        ),
        baseline_at=now,
        state=ObjectiveState.OPEN.value,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    created = ObjectiveChange(
        objective_id=objective.id, at=now, by=actor, changes={}, reason="Created"
    )
    repository = ObjectiveRepository(session)
    repository.add(objective, created)
    return present(objective, [created], facts, now=now, floor=floor)


def _readable(session: Session, gate: PolicyGate, actor: str, objective_id: str) -> Objective:
    """The objective if `actor` owns it or may read objectives in its scope; a space's
    objective the actor may not see is answered as a missing one."""
    objective = ObjectiveRepository(session).get(objective_id)
    if objective is None:
        raise ObjectiveNotFound(f"No objective '{objective_id}'.")
    if objective.scope_kind == ScopeKind.SPACE.value and objective.scope_id:
        try:
            get_visible_space(
                session=session, gate=gate, subject=actor, space_id=objective.scope_id
            )
        except SpaceNotFound as hidden:
            raise ObjectiveNotFound(f"No objective '{objective_id}'.") from hidden
    if objective.owner_id != actor:
        gate.require(
            subject=actor,
            action=Action.OBJECTIVE_READ,
            domain=_domain(objective.scope_kind, objective.scope_id),
        )
    return objective


def get(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    objective_id: str,
    now: datetime,
    floor: int,
    live_for: timedelta = timedelta(0),
) -> ObjectiveRead:
    objective = _readable(session, gate, actor, objective_id)
    changes = ObjectiveRepository(session).changes(objective.id)
    facts = PolicyFacts(session, gate, live_for=live_for)
    return present(objective, changes, facts, now=now, floor=floor)


def list_for(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    now: datetime,
    floor: int,
    live_for: timedelta = timedelta(0),
) -> ObjectiveList:
    """The objectives `actor` owns or may read, newest first, each with today's value."""
    everything = ObjectiveRepository(session).all()
    domains = sorted({_domain(o.scope_kind, o.scope_id) for o in everything})
    allowed = gate.allowed_domains(subject=actor, action=Action.OBJECTIVE_READ, domains=domains)
    facts = PolicyFacts(session, gate, live_for=live_for)
    return ObjectiveList(
        objectives=[
            present(o, [], facts, now=now, floor=floor)
            for o in everything
            if o.owner_id == actor or _domain(o.scope_kind, o.scope_id) in allowed
        ]
    )


def _editable(session: Session, gate: PolicyGate, actor: str, objective_id: str) -> Objective:
    objective = _readable(session, gate, actor, objective_id)
    gate.require(
        subject=actor,
        action=Action.OBJECTIVE_DEFINE,
        domain=_domain(objective.scope_kind, objective.scope_id),
    )
    if objective.state == ObjectiveState.CLOSED.value:
        raise ObjectiveClosed(f"The objective '{objective.name}' is closed.")
    return objective


def update(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    objective_id: str,
    patch: ObjectivePatch,
    now: datetime,
    floor: int,
) -> ObjectiveRead:
    """Change what is given and keep the change (each field before and after) with its reason."""
    objective = _editable(session, gate, actor, objective_id)
    wanted = patch.model_dump(exclude_unset=True, exclude={"reason"}, mode="json")
    if "target" in wanted:
        _check_target(MetricKey(objective.metric), float(wanted["target"]), None)
    if "owner_id" in wanted:
        _check_owner(gate, wanted["owner_id"])
    if "ends_on" in wanted and date.fromisoformat(wanted["ends_on"]) <= objective.starts_on:
        raise InvalidObjective("The period must end after it starts.")
    changes: dict[str, list[str | float | None]] = {}
    for field, after in wanted.items():
        before = getattr(objective, field)
        before_json = before.isoformat() if isinstance(before, date) else before
        if before_json != after:
            changes[field] = [before_json, after]
            setattr(objective, field, date.fromisoformat(after) if field == "ends_on" else after)
    repository = ObjectiveRepository(session)
    if changes:
        objective.updated_at = now
        repository.record(
            ObjectiveChange(
                objective_id=objective.id, at=now, by=actor, changes=changes, reason=patch.reason
            )
        )
    return present(
        objective,
        repository.changes(objective.id),
        PolicyFacts(session, gate),
        now=now,
        floor=floor,
    )


def close(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    objective_id: str,
    request: ObjectiveClose,
    now: datetime,
    floor: int,
) -> ObjectiveRead:
    objective = _editable(session, gate, actor, objective_id)
    change = {
        "state": [objective.state, ObjectiveState.CLOSED.value],
        "outcome": [None, request.outcome.value],
    }
    objective.state = ObjectiveState.CLOSED.value
    objective.outcome = request.outcome.value
    objective.closed_at = now
    objective.updated_at = now
    repository = ObjectiveRepository(session)
    repository.record(
        ObjectiveChange(
            objective_id=objective.id, at=now, by=actor, changes=change, reason=request.reason
        )
    )
    return present(
        objective,
        repository.changes(objective.id),
        PolicyFacts(session, gate),
        now=now,
        floor=floor,
    )


def series(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    objective_id: str,
    first: date | None,
    last: date | None,
    by: GroupType | None,
    now: datetime,
    floor: int,
    live_for: timedelta = timedelta(0),
) -> ObjectiveSeries:
    if first is not None and last is not None and last < first:
        raise InvalidObjective("`to` must not be before `from`.")
    objective = _readable(session, gate, actor, objective_id)
    first = max(first or objective.starts_on, objective.starts_on)
    last = min(last or objective.ends_on, objective.ends_on)
    if (last - first).days >= MAX_SERIES_DAYS:
        raise InvalidObjective(f"A series covers at most {MAX_SERIES_DAYS} days.")
    facts = PolicyFacts(session, gate, live_for=live_for)
    repository = ObjectiveRepository(session)
    keep_live(facts, repository, objective, now=now, floor=floor)
    points = measuring.series(
        facts, repository, objective, first=first, last=last, now=now, floor=floor
    )
    cells = measuring.breakdown(facts, objective, group_type=by, end=now, floor=floor) if by else []
    return series_of(objective, points, by, cells, levers(facts, objective, now=now))


def roll_up(
    *,
    session: Session,
    gate: PolicyGate,
    now: datetime,
    floor: int,
    progress: Callable[[str], None] = lambda _line: None,
) -> int:
    """Keep the value of every finished day of every open objective that lacks one.

    Run once a day (`townhall-publishing rollup`, after midnight UTC); reading a series
    fills in what is still missing, so a missed run loses nothing. Returns the days kept.
    """
    repository = ObjectiveRepository(session)
    yesterday = now.date() - timedelta(days=1)
    facts = PolicyFacts(session, gate)
    kept = 0
    for objective in repository.all():
        if objective.state != ObjectiveState.OPEN.value or objective.starts_on > yesterday:
            continue
        counted = keep_counts(facts, repository, objective, now=now, floor=floor)
        session.flush()
        last = min(objective.ends_on, yesterday)
        before = len(repository.points(objective.id, objective.starts_on, last))
        measuring.series(
            facts, repository, objective, first=objective.starts_on, last=last, now=now, floor=floor
        )
        session.flush()
        added = len(repository.points(objective.id, objective.starts_on, last)) - before
        progress(f"{objective.name}: {added} day(s) kept, {counted} day(s) counted")
        kept += added
    return kept
