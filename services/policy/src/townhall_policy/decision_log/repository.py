"""SQL of the decision log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from townhall_policy.decision_log.models import DecisionLogEntry


def list_entries(
    session: Session,
    *,
    decision_id: str | None = None,
    subject: str | None = None,
    action: str | None = None,
    domain: str | None = None,
    allowed: bool | None = None,
    requested_by: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[DecisionLogEntry]:
    """Logged decisions matching every given filter, newest first."""
    statement = select(DecisionLogEntry)
    for column, value in (
        (DecisionLogEntry.decision_id, decision_id),
        (DecisionLogEntry.subject, subject),
        (DecisionLogEntry.action, action),
        (DecisionLogEntry.domain, domain),
        (DecisionLogEntry.allowed, allowed),
        (DecisionLogEntry.requested_by, requested_by),
    ):
        if value is not None:
            statement = statement.where(col(column) == value)
    if since is not None:
        statement = statement.where(col(DecisionLogEntry.timestamp) >= since)
    if until is not None:
        statement = statement.where(col(DecisionLogEntry.timestamp) < until)
    statement = statement.order_by(
        col(DecisionLogEntry.timestamp).desc(), col(DecisionLogEntry.decision_id)
    )
    return session.exec(statement.offset(offset).limit(limit)).all()
