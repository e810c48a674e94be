"""Directory changes: subjects and group memberships. Every change bumps the revision."""

from __future__ import annotations

from sqlmodel import Session

from townhall_policy.directory import repository
from townhall_policy.directory.errors import NotAGroup, SubjectNotFound, UnknownSubject
from townhall_policy.directory.models import GroupMembership, Subject, SubjectKind
from townhall_policy.revision.service import record_change
from townhall_policy.timestamps import utcnow


def ensure_subject(
    session: Session,
    *,
    subject_id: str,
    display_name: str,
    kind: SubjectKind,
    department: str | None = None,
) -> tuple[Subject, bool]:
    """Create the subject unless it exists; an existing subject is left as it is."""
    existing = repository.get_subject(session, subject_id)
    if existing is not None:
        return existing, False
    now = utcnow()
    subject = repository.add_subject(
        session,
        Subject(
            id=subject_id,
            display_name=display_name,
            kind=kind.value,
            department=department,
            active=True,
            created_at=now,
            updated_at=now,
        ),
    )
    record_change(session)
    return subject, True


def set_subject_active(session: Session, *, subject_id: str, active: bool) -> Subject:
    """Activate or deactivate a subject; a deactivated subject is refused everything."""
    subject = repository.get_subject(session, subject_id)
    if subject is None:
        raise SubjectNotFound(f"No subject {subject_id!r} in the directory.")
    if subject.active != active:
        subject.active = active
        subject.updated_at = utcnow()
        session.add(subject)
        session.flush()
        record_change(session)
    return subject


def ensure_membership(session: Session, *, group_id: str, member_id: str) -> bool:
    """Make `member_id` a member of group `group_id`; True when it was not one yet."""
    group = repository.get_subject(session, group_id)
    if group is None:
        raise UnknownSubject(f"No group {group_id!r} in the directory.")
    if group.kind != SubjectKind.GROUP:
        raise NotAGroup(f"Subject {group_id!r} is a {group.kind}, not a group.")
    if repository.get_subject(session, member_id) is None:
        raise UnknownSubject(f"No subject {member_id!r} in the directory.")
    if repository.get_membership(session, group_id, member_id) is not None:
        return False
    repository.add_membership(
        session, GroupMembership(group_id=group_id, member_id=member_id, created_at=utcnow())
    )
    record_change(session)
    return True
