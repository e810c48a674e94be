"""SCIM's create, replace, patch and delete, as changes to the directory.

Every change goes through the directory's own service, so it is audited, bumps the
revision and obeys the directory's rules (deactivation refuses a subject everything, the
last policy administrator stays). A PATCH is applied to the resource as it stands and the
result stored like a replacement. A DELETE keeps the subject for the trail's history:
deactivated, out of its groups, and no longer listed; creating its userName again brings
it back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from scim2_models import (
    Group,
    InvalidValueException,
    MutabilityException,
    NotFoundException,
    PatchOp,
    Resource,
    ScimPolicy,
    UniquenessException,
)
from sqlmodel import Session

from townhall_policy.audit.trail import record_event
from townhall_policy.directory.service import (
    apply_record,
    ensure_membership,
    remove_membership,
    set_subject_active,
)
from townhall_policy.holdings.directory.models import Subject, SubjectKind
from townhall_policy.provisioning.scim import repository
from townhall_policy.provisioning.scim.auth import ScimClient
from townhall_policy.provisioning.scim.resources import (
    ScimUser,
    group_id_stem,
    group_record,
    member_ids,
    to_group,
    to_user,
    user_id,
    user_record,
)
from townhall_policy.timestamps import utcnow

R = TypeVar("R", bound=Resource[Any])
# What Entra ID sends beyond RFC 7644: a `remove` naming its members in `value`, and an
# `add`/`replace` through a filter that matches nothing yet (meaning: create the entry).
ENTRA_TOLERANT = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


def listed(session: Session, subject_id: str, kind: SubjectKind) -> Subject:
    subject = repository.get_listed(session, subject_id, kind.value)
    if subject is None:
        raise NotFoundException(detail=f"No {kind.value} {subject_id!r}.")
    return subject


def user_resource(session: Session, subject: Subject, base_url: str) -> ScimUser:
    return to_user(subject, repository.groups_of(session, subject.id), base_url=base_url)


def group_resource(session: Session, subject: Subject, base_url: str) -> Group:
    return to_group(subject, repository.members_of(session, subject.id), base_url=base_url)


def create_user(session: Session, user: ScimUser, client: ScimClient) -> Subject:
    subject_id = user_id(user.user_name)
    existing = session.get(Subject, subject_id)
    if existing is not None and (
        existing.kind != SubjectKind.USER or existing.deprovisioned_at is None
    ):
        raise UniquenessException(detail=f"userName {user.user_name!r} is taken.")
    if existing is not None:
        _reprovision(session, existing, client)
    return _store_user(session, user, subject_id, client)


def _reprovision(session: Session, subject: Subject, client: ScimClient) -> None:
    """The same userName created again after a delete: the subject it named comes back."""
    subject.deprovisioned_at = None
    session.add(subject)
    record_event(
        session,
        actor=client.subject,
        event_type="subject.reprovisioned",
        target=f"subject:{subject.id}",
        justification=client.justification,
        payload={"subject": subject.id, "via": "scim"},
    )


def replace_user(session: Session, subject_id: str, user: ScimUser, client: ScimClient) -> Subject:
    listed(session, subject_id, SubjectKind.USER)
    if user_id(user.user_name) != subject_id:
        raise MutabilityException(
            detail="userName names the subject; only its letters' case may change."
        )
    return _store_user(session, user, subject_id, client)


def _store_user(session: Session, user: ScimUser, subject_id: str, client: ScimClient) -> Subject:
    outcome = apply_record(
        session,
        user_record(user, subject_id),
        actor=client.subject,
        justification=client.justification,
    )
    _link(session, outcome.subject, str(user.user_name), user.external_id, client)
    return outcome.subject


def create_group(session: Session, group: Group, client: ScimClient) -> Subject:
    stem = group_id_stem(group.display_name or "")
    subject_id, suffix = stem, 1
    while repository.id_taken(session, subject_id):
        suffix += 1
        subject_id = f"{stem}-{suffix}"
    return _store_group(session, group, subject_id, None, client)


def replace_group(session: Session, subject_id: str, group: Group, client: ScimClient) -> Subject:
    existing = listed(session, subject_id, SubjectKind.GROUP)
    return _store_group(session, group, subject_id, existing, client)


def _store_group(
    session: Session, group: Group, subject_id: str, existing: Subject | None, client: ScimClient
) -> Subject:
    record = group_record(
        group,
        subject_id,
        active=True if existing is None else existing.active,
        group_type=existing.group_type if existing is not None else None,
    )
    outcome = apply_record(
        session, record, actor=client.subject, justification=client.justification
    )
    _link(session, outcome.subject, None, group.external_id, client)
    wanted = member_ids(group)
    for member in wanted:
        if repository.get_listed(session, member, SubjectKind.USER.value) is None:
            raise InvalidValueException(detail=f"members: no user {member!r}.")
    _set_members(session, subject_id, set(wanted), client)
    return outcome.subject


def _set_members(session: Session, group_id: str, wanted: set[str], client: ScimClient) -> None:
    current = {member.id for member in repository.members_of(session, group_id)}
    for member in sorted(wanted - current):
        ensure_membership(
            session,
            group_id=group_id,
            member_id=member,
            actor=client.subject,
            justification=client.justification,
        )
    for member in sorted(current - wanted):
        remove_membership(
            session,
            group_id=group_id,
            member_id=member,
            actor=client.subject,
            justification=client.justification,
        )


def patch(
    session: Session,
    patch_op: PatchOp[R],
    resource: R,
    store: Callable[[R], Subject],
) -> Subject | None:
    """Apply the operations to `resource`; store the result when they changed it."""
    if not patch_op.patch(resource, scim_policy=ENTRA_TOLERANT):
        return None
    return store(resource)


def delete(session: Session, subject_id: str, kind: SubjectKind, client: ScimClient) -> None:
    subject = listed(session, subject_id, kind)
    if kind is SubjectKind.GROUP:
        _set_members(session, subject_id, set(), client)
    else:
        for group in repository.groups_of(session, subject_id):
            remove_membership(
                session,
                group_id=group.id,
                member_id=subject_id,
                actor=client.subject,
                justification=client.justification,
            )
    set_subject_active(
        session,
        subject_id=subject_id,
        active=False,
        actor=client.subject,
        justification=client.justification,
    )
    subject.deprovisioned_at = utcnow()
    session.add(subject)
    record_event(
        session,
        actor=client.subject,
        event_type="subject.deprovisioned",
        target=f"subject:{subject_id}",
        justification=client.justification,
        payload={"subject": subject_id, "via": "scim"},
    )


def _link(
    session: Session,
    subject: Subject,
    user_name: str | None,
    external_id: str | None,
    client: ScimClient,
) -> None:
    """Keep the client's userName spelling and its externalId, audited when they change."""
    wanted = {"user_name": user_name, "external_id": external_id}
    changes = {
        name: {"from": getattr(subject, name), "to": value}
        for name, value in wanted.items()
        if getattr(subject, name) != value
    }
    if not changes:
        return
    for name in changes:
        setattr(subject, name, wanted[name])
    session.add(subject)
    record_event(
        session,
        actor=client.subject,
        event_type="subject.updated",
        target=f"subject:{subject.id}",
        justification=client.justification,
        payload={"subject": subject.id, "changes": changes, "via": "scim"},
    )
