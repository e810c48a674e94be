"""The directory as SCIM lists it: subjects of one kind that no client deleted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from townhall_policy.holdings.directory.models import GroupMembership, Subject


def get_listed(session: Session, subject_id: str, kind: str) -> Subject | None:
    subject = session.get(Subject, subject_id)
    if subject is None or subject.kind != kind or subject.deprovisioned_at is not None:
        return None
    return subject


def page(
    session: Session,
    *,
    kind: str,
    equals: tuple[str, str] | None,
    offset: int,
    limit: int,
) -> tuple[int, Sequence[Subject]]:
    """The total and one page, ordered by id; `equals` is (column, value), compared
    without regard to case as SCIM's string attributes are."""
    statement = select(Subject).where(Subject.kind == kind, col(Subject.deprovisioned_at).is_(None))
    if equals is not None:
        column, value = equals
        statement = statement.where(func.lower(getattr(Subject, column)) == value.lower())
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(col(Subject.id)).offset(offset).limit(limit)).all()
    return int(total), rows


def every_listed(session: Session, kind: str) -> Sequence[Subject]:
    return session.exec(
        select(Subject)
        .where(Subject.kind == kind, col(Subject.deprovisioned_at).is_(None))
        .order_by(col(Subject.id))
    ).all()


def groups_of(session: Session, member_id: str) -> Sequence[Subject]:
    return session.exec(
        select(Subject)
        .join(GroupMembership, col(GroupMembership.group_id) == col(Subject.id))
        .where(GroupMembership.member_id == member_id)
        .order_by(col(Subject.id))
    ).all()


def members_of(session: Session, group_id: str) -> Sequence[Subject]:
    return session.exec(
        select(Subject)
        .join(GroupMembership, col(GroupMembership.member_id) == col(Subject.id))
        .where(GroupMembership.group_id == group_id)
        .order_by(col(Subject.id))
    ).all()


def id_taken(session: Session, subject_id: str) -> bool:
    return session.get(Subject, subject_id) is not None
