"""SQL of the grants table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from townhall_policy.holdings.grants.models import Grant


def get_grant(session: Session, grant_id: str) -> Grant | None:
    return session.get(Grant, grant_id)


def save_grant(session: Session, grant: Grant) -> Grant:
    session.add(grant)
    session.flush()
    return grant


def _in_force_at(instant: datetime) -> ColumnElement[bool]:
    return and_(
        col(Grant.valid_from) <= instant,
        or_(col(Grant.valid_to).is_(None), col(Grant.valid_to) > instant),
        or_(col(Grant.revoked_at).is_(None), col(Grant.revoked_at) > instant),
    )


def list_grants(
    session: Session,
    *,
    subject_id: str | None = None,
    role: str | None = None,
    domain: str | None = None,
    active_at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Grant]:
    """Grants matching every given filter, oldest first."""
    statement = select(Grant)
    if subject_id is not None:
        statement = statement.where(Grant.subject_id == subject_id)
    if role is not None:
        statement = statement.where(Grant.role == role)
    if domain is not None:
        statement = statement.where(Grant.domain == domain)
    if active_at is not None:
        statement = statement.where(_in_force_at(active_at))
    statement = statement.order_by(col(Grant.granted_at), col(Grant.id)).offset(offset).limit(limit)
    return session.exec(statement).all()


def list_overlapping(
    session: Session,
    *,
    subject_id: str,
    role: str,
    domain: str,
    valid_from: datetime,
    valid_to: datetime | None,
) -> Sequence[Grant]:
    """Unrevoked grants of the same role to the same subject whose validity overlaps."""
    statement = select(Grant).where(
        Grant.subject_id == subject_id,
        Grant.role == role,
        Grant.domain == domain,
        col(Grant.revoked_at).is_(None),
        or_(col(Grant.valid_to).is_(None), col(Grant.valid_to) > valid_from),
    )
    if valid_to is not None:
        statement = statement.where(col(Grant.valid_from) < valid_to)
    return session.exec(statement).all()


def exists_any(session: Session, *, subject_id: str, role: str, domain: str) -> bool:
    """True when this role was ever granted to this subject in this domain."""
    statement = (
        select(Grant.id)
        .where(Grant.subject_id == subject_id, Grant.role == role, Grant.domain == domain)
        .limit(1)
    )
    return session.exec(statement).first() is not None


def held_by_another_ever(session: Session, *, role: str, domain: str, founder: str) -> bool:
    """True when `role` in `domain` was ever granted other than to `founder` by themselves,
    or such a grant of theirs was revoked."""
    statement = (
        select(Grant.id)
        .where(
            Grant.role == role,
            Grant.domain == domain,
            or_(
                col(Grant.subject_id) != founder,
                col(Grant.granted_by) != founder,
                col(Grant.revoked_at).is_not(None),
            ),
        )
        .limit(1)
    )
    return session.exec(statement).first() is not None


def list_current_and_future(session: Session, *, now: datetime) -> Sequence[Grant]:
    """Unrevoked grants not yet expired at `now`: in force now or starting later."""
    statement = select(Grant).where(
        col(Grant.revoked_at).is_(None),
        or_(col(Grant.valid_to).is_(None), col(Grant.valid_to) > now),
    )
    return session.exec(statement).all()


def current_and_future_rows(
    session: Session, *, now: datetime, subject_ids: Sequence[str] | None = None
) -> list[tuple[Any, ...]]:
    """As `list_current_and_future`, as plain rows in `GrantEntry`'s field order.

    Snapshot loads read every grant in force; plain rows skip building ORM objects.
    """
    statement = sa_select(
        col(Grant.id),
        col(Grant.subject_id),
        col(Grant.role),
        col(Grant.domain),
        col(Grant.granted_by),
        col(Grant.granted_at),
        col(Grant.justification),
        col(Grant.valid_from),
        col(Grant.valid_to),
    ).where(
        col(Grant.revoked_at).is_(None),
        or_(col(Grant.valid_to).is_(None), col(Grant.valid_to) > now),
    )
    if subject_ids is not None:
        statement = statement.where(col(Grant.subject_id).in_(subject_ids))
    return [tuple(row) for row in session.execute(statement)]
