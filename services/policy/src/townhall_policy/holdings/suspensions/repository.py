"""SQL of the suspensions table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from townhall_policy.holdings.suspensions.models import Suspension


def get_suspension(session: Session, suspension_id: str) -> Suspension | None:
    return session.get(Suspension, suspension_id)


def save_suspension(session: Session, suspension: Suspension) -> Suspension:
    session.add(suspension)
    session.flush()
    return suspension


def list_current_and_future(
    session: Session, *, now: datetime, subject_ids: Sequence[str] | None = None
) -> Sequence[Suspension]:
    """Unlifted suspensions not yet expired at `now` (of `subject_ids`, if given)."""
    statement = select(Suspension).where(
        col(Suspension.lifted_at).is_(None),
        or_(col(Suspension.valid_to).is_(None), col(Suspension.valid_to) > now),
    )
    if subject_ids is not None:
        statement = statement.where(col(Suspension.subject_id).in_(subject_ids))
    return session.exec(statement).all()


def list_in_force_at(session: Session, *, at: datetime) -> Sequence[Suspension]:
    """Suspensions in force at `at` (for audits at a past instant)."""
    statement = select(Suspension).where(
        col(Suspension.valid_from) <= at,
        or_(col(Suspension.valid_to).is_(None), col(Suspension.valid_to) > at),
        or_(col(Suspension.lifted_at).is_(None), col(Suspension.lifted_at) > at),
    )
    return session.exec(statement).all()


def list_suspensions(
    session: Session,
    *,
    subject_id: str | None = None,
    domain: str | None = None,
    active_at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Suspension]:
    statement = select(Suspension)
    if subject_id is not None:
        statement = statement.where(Suspension.subject_id == subject_id)
    if domain is not None:
        statement = statement.where(Suspension.domain == domain)
    if active_at is not None:
        statement = statement.where(
            and_(
                col(Suspension.valid_from) <= active_at,
                or_(col(Suspension.valid_to).is_(None), col(Suspension.valid_to) > active_at),
                or_(col(Suspension.lifted_at).is_(None), col(Suspension.lifted_at) > active_at),
            )
        )
    statement = statement.order_by(col(Suspension.created_at), col(Suspension.id))
    return session.exec(statement.offset(offset).limit(limit)).all()
