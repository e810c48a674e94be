"""Directory changes: subjects and group memberships.

Every change carries a justification, appends an audit event with it and bumps the
revision, and keeps the directory's history (membership and deactivation periods) so
audits at a past instant see it as it was. Deactivating a subject makes every decision
about it a refusal at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from townhall_policy.audit.trail import record_event
from townhall_policy.directory.errors import (
    NestedGroup,
    NotAGroup,
    SubjectExists,
    SubjectKindChange,
    SubjectNotFound,
    UnknownSubject,
)
from townhall_policy.holdings import duties
from townhall_policy.holdings.directory import repository
from townhall_policy.holdings.directory.models import (
    DirectoryPeriod,
    GroupMembership,
    Subject,
    SubjectKind,
)
from townhall_policy.timestamps import utcnow

MEMBERSHIP = "membership"
INACTIVE = "inactive"


@dataclass(frozen=True)
class SubjectRecord:
    """A subject as a provisioning source describes it (SCIM-like, or a CSV row).

    `groups` is None when the source says nothing about memberships (they are kept);
    a list replaces the subject's memberships.
    """

    id: str
    kind: SubjectKind
    display_name: str
    department: str | None = None
    email: str | None = None
    group_type: str | None = None
    active: bool = True
    groups: tuple[str, ...] | None = None
    # Org roles (users, from an import); None leaves them as they are.
    roles: tuple[str, ...] | None = None


@dataclass
class ApplyOutcome:
    """What applying a record changed."""

    subject: Subject
    created: bool = False
    changed_fields: list[str] = field(default_factory=list)
    groups_added: list[str] = field(default_factory=list)
    groups_removed: list[str] = field(default_factory=list)
    activation: str | None = None  # "deactivated" | "reactivated"

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.changed_fields
            or self.groups_added
            or self.groups_removed
            or self.activation
        )


def ensure_subject(
    session: Session,
    *,
    subject_id: str,
    display_name: str,
    kind: SubjectKind,
    department: str | None = None,
    group_type: str | None = None,
    actor: str = "system",
    justification: str,
) -> tuple[Subject, bool]:
    """Create the subject unless it exists; an existing subject is left as it is."""
    existing = repository.get_subject(session, subject_id)
    if existing is not None:
        return existing, False
    record = SubjectRecord(
        id=subject_id,
        kind=kind,
        display_name=display_name,
        department=department,
        group_type=group_type,
    )
    return _create(session, record, actor=actor, justification=justification), True


def create_subject(
    session: Session, record: SubjectRecord, *, actor: str, justification: str
) -> ApplyOutcome:
    """Create a subject (409 when the id is taken), with its memberships."""
    if repository.get_subject(session, record.id) is not None:
        raise SubjectExists(f"Subject {record.id!r} already exists.")
    return apply_record(session, record, actor=actor, justification=justification)


def apply_record(
    session: Session, record: SubjectRecord, *, actor: str, justification: str
) -> ApplyOutcome:
    """Create or update a subject to match `record`; only differences are recorded."""
    subject = repository.get_subject(session, record.id)
    if subject is None:
        outcome = ApplyOutcome(
            subject=_create(session, record, actor=actor, justification=justification),
            created=True,
        )
    else:
        if subject.kind != record.kind.value:
            raise SubjectKindChange(
                f"Subject {record.id!r} is a {subject.kind}; it cannot become a {record.kind}."
            )
        outcome = ApplyOutcome(subject=subject)
        _update_fields(session, subject, record, outcome, actor=actor, justification=justification)
    if record.groups is not None:
        _replace_groups(session, outcome, record.groups, actor=actor, justification=justification)
    if outcome.subject.active != record.active:
        set_subject_active(
            session,
            subject_id=record.id,
            active=record.active,
            actor=actor,
            justification=justification,
        )
        outcome.activation = "reactivated" if record.active else "deactivated"
    return outcome


def set_subject_active(
    session: Session,
    *,
    subject_id: str,
    active: bool,
    actor: str = "system",
    justification: str,
) -> Subject:
    """Activate or deactivate a subject; a deactivated subject is refused everything.

    The last active policy admin is never deactivated (nor the last group holding it).
    """
    subject = repository.get_subject(session, subject_id)
    if subject is None:
        raise SubjectNotFound(f"No subject {subject_id!r} in the directory.")
    if subject.active == active:
        return subject
    now = utcnow()
    subject.active = active
    subject.updated_at = now
    session.add(subject)
    session.flush()
    if active:
        repository.close_periods(
            session, kind=INACTIVE, subject_id=subject_id, group_id=None, at=now
        )
    else:
        repository.open_period(
            session, DirectoryPeriod(kind=INACTIVE, subject_id=subject_id, valid_from=now)
        )
    record_event(
        session,
        actor=actor,
        event_type="subject.reactivated" if active else "subject.deactivated",
        target=f"subject:{subject_id}",
        justification=justification,
        payload={"subject": subject_id, "active": active},
    )
    if not active:
        duties.ensure_a_policy_admin_remains(session, change=f"deactivating {subject_id}")
    return subject


def ensure_membership(
    session: Session,
    *,
    group_id: str,
    member_id: str,
    actor: str = "system",
    justification: str,
) -> bool:
    """Make `member_id` a member of group `group_id`; True when it was not one yet."""
    group = repository.get_subject(session, group_id)
    if group is None:
        raise UnknownSubject(f"No group {group_id!r} in the directory.")
    if group.kind != SubjectKind.GROUP:
        raise NotAGroup(f"Subject {group_id!r} is a {group.kind}, not a group.")
    member = repository.get_subject(session, member_id)
    if member is None:
        raise UnknownSubject(f"No subject {member_id!r} in the directory.")
    if member.kind != SubjectKind.USER:
        raise NestedGroup(f"{member_id!r} is a group; groups contain users only.")
    if repository.get_membership(session, group_id, member_id) is not None:
        return False
    now = utcnow()
    duties.check_membership(session, group_id=group_id, member_id=member_id, now=now)
    repository.add_membership(
        session, GroupMembership(group_id=group_id, member_id=member_id, created_at=now)
    )
    repository.open_period(
        session,
        DirectoryPeriod(kind=MEMBERSHIP, subject_id=member_id, group_id=group_id, valid_from=now),
    )
    record_event(
        session,
        actor=actor,
        event_type="membership.added",
        target=f"subject:{member_id}",
        justification=justification,
        payload={"group": group_id, "member": member_id},
    )
    return True


def remove_membership(
    session: Session,
    *,
    group_id: str,
    member_id: str,
    actor: str,
    justification: str,
) -> bool:
    """End `member_id`'s membership of `group_id`; True when it was a member.

    The last active policy admin, holding the role through this group, stays in it.
    """
    membership = repository.get_membership(session, group_id, member_id)
    if membership is None:
        return False
    repository.delete_membership(session, membership)
    repository.close_periods(
        session, kind=MEMBERSHIP, subject_id=member_id, group_id=group_id, at=utcnow()
    )
    record_event(
        session,
        actor=actor,
        event_type="membership.removed",
        target=f"subject:{member_id}",
        justification=justification,
        payload={"group": group_id, "member": member_id},
    )
    duties.ensure_a_policy_admin_remains(
        session, change=f"removing {member_id} from group {group_id}"
    )
    return True


def _create(session: Session, record: SubjectRecord, *, actor: str, justification: str) -> Subject:
    now = utcnow()
    subject = repository.add_subject(
        session,
        Subject(
            id=record.id,
            display_name=record.display_name,
            kind=record.kind.value,
            department=record.department,
            email=record.email,
            group_type=record.group_type if record.kind is SubjectKind.GROUP else None,
            active=True,
            created_at=now,
            updated_at=now,
        ),
    )
    record_event(
        session,
        actor=actor,
        event_type="subject.created",
        target=f"subject:{record.id}",
        justification=justification,
        payload=_subject_payload(subject),
    )
    return subject


def _update_fields(
    session: Session,
    subject: Subject,
    record: SubjectRecord,
    outcome: ApplyOutcome,
    *,
    actor: str,
    justification: str,
) -> None:
    wanted: dict[str, Any] = {
        "display_name": record.display_name,
        "department": record.department,
        "email": record.email,
        "group_type": record.group_type if record.kind is SubjectKind.GROUP else None,
    }
    previous = {name: getattr(subject, name) for name in wanted}
    changed = [name for name, value in wanted.items() if previous[name] != value]
    if not changed:
        return
    for name in changed:
        setattr(subject, name, wanted[name])
    subject.updated_at = utcnow()
    session.add(subject)
    session.flush()
    outcome.changed_fields = changed
    record_event(
        session,
        actor=actor,
        event_type="subject.updated",
        target=f"subject:{subject.id}",
        justification=justification,
        payload={
            "subject": subject.id,
            "changes": {n: {"from": previous[n], "to": wanted[n]} for n in changed},
        },
    )


def _replace_groups(
    session: Session,
    outcome: ApplyOutcome,
    groups: tuple[str, ...],
    *,
    actor: str,
    justification: str,
) -> None:
    subject = outcome.subject
    if subject.kind != SubjectKind.USER and groups:
        raise NestedGroup(f"{subject.id!r} is a group; groups contain users only.")
    current = set(repository.group_ids_of(session, subject.id))
    wanted = set(groups)
    for group_id in sorted(wanted - current):
        ensure_membership(
            session,
            group_id=group_id,
            member_id=subject.id,
            actor=actor,
            justification=justification,
        )
        outcome.groups_added.append(group_id)
    for group_id in sorted(current - wanted):
        remove_membership(
            session,
            group_id=group_id,
            member_id=subject.id,
            actor=actor,
            justification=justification,
        )
        outcome.groups_removed.append(group_id)


def _subject_payload(subject: Subject) -> dict[str, Any]:
    return {
        "subject": subject.id,
        "kind": subject.kind,
        "display_name": subject.display_name,
        "department": subject.department,
        "email": subject.email,
        "group_type": subject.group_type,
    }
