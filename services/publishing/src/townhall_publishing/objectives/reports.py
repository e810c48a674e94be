"""Each open objective's report to its owner, at its cadence: an `objective.reported`
event through the outbox, which the notifications service mails to the owner.

Run with the daily rollup (`townhall-publishing rollup`): an objective is reported once
its cadence has passed since the last report (or since it was created); the day of the
report is kept in the same transaction as the event, so a run repeated sends nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from townhall_contracts.events import EventType, ObjectiveReported
from townhall_contracts.publishing.objectives import Cadence, ObjectiveState

from ..outbox.repository import OutboxRepository
from ..policy_gate import PolicyGate
from .facts import PolicyFacts
from .models import Objective
from .presenters import present
from .repository import ObjectiveRepository

CADENCE = {Cadence.WEEKLY.value: timedelta(days=7), Cadence.MONTHLY.value: timedelta(days=30)}


def due(objective: Objective, today: date) -> bool:
    """Open, started, and a cadence since its last report (or its creation)."""
    if objective.state != ObjectiveState.OPEN.value or today < objective.starts_on:
        return False
    last = objective.reported_on or objective.created_at.date()
    return today >= last + CADENCE[objective.cadence]


def send_reports(*, session: Session, gate: PolicyGate, now: datetime, floor: int) -> int:
    """Write the report event of every objective due today; how many were written."""
    repository = ObjectiveRepository(session)
    facts = PolicyFacts(session, gate)
    today = now.date()
    reports: list[ObjectiveReported] = []
    for objective in repository.all():
        if not due(objective, today):
            continue
        shown = present(objective, [], facts, now=now, floor=floor)
        before = today - CADENCE[objective.cadence]
        earlier = repository.points(objective.id, before, before).get(before)
        reports.append(
            ObjectiveReported(
                objective_id=objective.id,
                name=objective.name,
                owner_id=objective.owner_id,
                unit=shown.unit.value,
                value=shown.value,
                previous_value=earlier.value if earlier else None,
                expected=shown.expected,
                target=objective.target,
                status=shown.status.value,
                day=today,
                ends_on=objective.ends_on,
            )
        )
        objective.reported_on = today
        session.add(objective)
    # The objectives first, then the events: the outbox lock is taken last (see `append`).
    session.flush()
    outbox = OutboxRepository(session)
    for report in reports:
        outbox.append(EventType.OBJECTIVE_REPORTED, report)
    return len(reports)
