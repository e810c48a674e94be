"""SQL of subjects and group memberships."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from townhall_policy.directory.models import GroupMembership, Subject


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
