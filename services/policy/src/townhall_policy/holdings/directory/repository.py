"""SQL of subjects and group memberships."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from townhall_policy.holdings.directory.models import DirectoryPeriod, GroupMembership, Subject


def get_subject(session: Session, subject_id: str) -> Subject | None:
    return session.get(Subject, subject_id)


def list_subjects(session: Session) -> Sequence[Subject]:
    return session.exec(select(Subject)).all()


def add_subject(session: Session, subject: Subject) -> Subject:
    session.add(subject)
    session.flush()
    return subject


def get_membership(session: Session, group_id: str, member_id: str) -> GroupMembership | None:
    return session.get(GroupMembership, (group_id, member_id))


def list_memberships(session: Session) -> Sequence[GroupMembership]:
    return session.exec(select(GroupMembership)).all()


def add_membership(session: Session, membership: GroupMembership) -> GroupMembership:
    session.add(membership)
    session.flush()
    return membership


def group_ids_of(session: Session, member_id: str) -> list[str]:
    """The groups `member_id` belongs to now."""
    statement = select(GroupMembership.group_id).where(GroupMembership.member_id == member_id)
    return sorted(session.exec(statement).all())


def member_ids_of(session: Session, group_id: str) -> list[str]:
    statement = select(GroupMembership.member_id).where(GroupMembership.group_id == group_id)
    return sorted(session.exec(statement).all())


def delete_membership(session: Session, membership: GroupMembership) -> None:
    session.delete(membership)
    session.flush()


def list_subjects_filtered(
    session: Session,
    *,
    kind: str | None = None,
    active: bool | None = None,
    group_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Subject]:
    statement = select(Subject)
    if kind is not None:
        statement = statement.where(Subject.kind == kind)
    if active is not None:
        statement = statement.where(Subject.active == active)
    if group_id is not None:
        statement = statement.join(
            GroupMembership, col(GroupMembership.member_id) == col(Subject.id)
        ).where(GroupMembership.group_id == group_id)
    return session.exec(statement.order_by(col(Subject.id)).offset(offset).limit(limit)).all()


def open_period(session: Session, period: DirectoryPeriod) -> None:
    session.add(period)
    session.flush()


def close_periods(
    session: Session, *, kind: str, subject_id: str, group_id: str | None, at: datetime
) -> None:
    statement = update(DirectoryPeriod).where(
        col(DirectoryPeriod.kind) == kind,
        col(DirectoryPeriod.subject_id) == subject_id,
        col(DirectoryPeriod.valid_to).is_(None),
    )
    if group_id is not None:
        statement = statement.where(col(DirectoryPeriod.group_id) == group_id)
    session.execute(statement.values(valid_to=at))


def memberships_at(session: Session, *, at: datetime) -> list[tuple[str, str]]:
    """(group_id, member_id) pairs in force at `at`."""
    statement = select(DirectoryPeriod.group_id, DirectoryPeriod.subject_id).where(
        DirectoryPeriod.kind == "membership",
        col(DirectoryPeriod.valid_from) <= at,
        or_(col(DirectoryPeriod.valid_to).is_(None), col(DirectoryPeriod.valid_to) > at),
    )
    return [(str(g), str(m)) for g, m in session.exec(statement).all()]


def inactive_at(session: Session, *, at: datetime) -> set[str]:
    """Subjects deactivated at `at`."""
    statement = select(DirectoryPeriod.subject_id).where(
        DirectoryPeriod.kind == "inactive",
        col(DirectoryPeriod.valid_from) <= at,
        or_(col(DirectoryPeriod.valid_to).is_(None), col(DirectoryPeriod.valid_to) > at),
    )
    return set(session.exec(statement).all())


def subject_rows(
    session: Session, *, ids: Sequence[str] | None = None
) -> list[tuple[str, str, bool]]:
    """(id, kind, active) of every subject (or of `ids`): plain rows, for snapshot loads."""
    statement = select(col(Subject.id), col(Subject.kind), col(Subject.active))
    if ids is not None:
        statement = statement.where(col(Subject.id).in_(ids))
    return [(str(i), str(k), bool(a)) for i, k, a in session.execute(statement)]


def membership_rows(
    session: Session, *, member_ids: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """(group_id, member_id) of every membership (or of `member_ids`), as plain rows."""
    statement = select(col(GroupMembership.group_id), col(GroupMembership.member_id))
    if member_ids is not None:
        statement = statement.where(col(GroupMembership.member_id).in_(member_ids))
    return [(str(g), str(m)) for g, m in session.execute(statement)]


def active_groups(session: Session, group_type: str | None) -> Sequence[Subject]:
    """The active groups, of one type if given, by id."""
    statement = select(Subject).where(Subject.kind == "group", col(Subject.active).is_(True))
    if group_type is not None:
        statement = statement.where(Subject.group_type == group_type)
    return session.exec(statement.order_by(col(Subject.id))).all()
