"""Separation of duties: roles that one person may never hold together, groups included.

A person holds an org role directly or through any group they belong to, so a clash is
looked for wherever a role can reach a person: a grant to a user (its own grants and
its groups' grants), a grant to a group (each member's own and other groups' grants),
and a user joining a group (the group's grants against the user's own and other groups').
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action, Role
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.errors import LastPolicyAdmin, SeparationOfDuties
from townhall_policy.holdings.grants import repository
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions import repository as suspensions
from townhall_policy.timestamps import utcnow

# Roles that one subject may never hold together (in `org`, over overlapping periods).
CONFLICTING_ROLES: dict[str, frozenset[str]] = {
    Role.POLICY_ADMIN.value: frozenset({Role.APPROVER.value, Role.COMPLIANCE_OFFICER.value}),
    Role.APPROVER.value: frozenset({Role.POLICY_ADMIN.value}),
    Role.COMPLIANCE_OFFICER.value: frozenset({Role.POLICY_ADMIN.value}),
}
_WHY = (
    "separation of duties forbids holding {role} as well: whoever manages grants neither "
    "approves official posts nor audits them."
)


def check_grant(
    session: Session,
    *,
    subject_id: str,
    role: str,
    domain: str,
    starts: datetime,
    ends: datetime | None,
) -> None:
    """Refuse a grant that would give anyone `role` next to a conflicting one."""
    if domain != ORG_DOMAIN or role not in CONFLICTING_ROLES:
        return
    members = directory.member_ids_of(session, subject_id)
    for person in [subject_id, *members]:
        through = "" if person == subject_id else f" (a member of group {subject_id})"
        clash = _clash(session, person, role, starts, ends, skip=subject_id)
        if clash is not None:
            holder, grant = clash
            _refuse(person + through, holder, person, grant, role)
        if person != subject_id:
            continue
        # The subject's own grants (a group's, when the subject is a group).
        for other in sorted(CONFLICTING_ROLES[role]):
            own = repository.list_overlapping(
                session,
                subject_id=subject_id,
                role=other,
                domain=ORG_DOMAIN,
                valid_from=starts,
                valid_to=ends,
            )
            if own:
                _refuse(subject_id, subject_id, subject_id, own[0], role)


def check_membership(session: Session, *, group_id: str, member_id: str, now: datetime) -> None:
    """Refuse to add `member_id` to a group whose org roles clash with theirs."""
    for role in sorted(CONFLICTING_ROLES):
        for held in repository.list_overlapping(
            session,
            subject_id=group_id,
            role=role,
            domain=ORG_DOMAIN,
            valid_from=now,
            valid_to=None,
        ):
            clash = _clash(
                session, member_id, role, max(held.valid_from, now), held.valid_to, skip=group_id
            )
            if clash is not None:
                holder, grant = clash
                _refuse(
                    f"{member_id} (joining group {group_id}, which holds {role} in org)",
                    holder,
                    member_id,
                    grant,
                    role,
                )


def ensure_a_policy_admin_remains(
    session: Session, *, change: str, at: datetime | None = None
) -> None:
    """Refuse a change (already flushed in this transaction) that leaves no active user
    holding `policy_admin` in org, directly or through an active group, and free to use it
    (not suspended from `grants.manage` in org).

    Without one, nobody could grant, revoke or provision again but by hand in the
    database, outside the audit trail. The caller's transaction is rolled back. `at`
    (now by default) is when the change takes effect.
    """
    now = at or utcnow()
    barred = {
        s.subject_id
        for s in suspensions.list_in_force_at(session, at=now)
        if s.domain == ORG_DOMAIN and s.action in (None, Action.GRANTS_MANAGE.value)
    }
    for grant in repository.list_grants(
        session, role=Role.POLICY_ADMIN.value, domain=ORG_DOMAIN, active_at=now, limit=10_000
    ):
        holder = directory.get_subject(session, grant.subject_id)
        if holder is None or not holder.active:
            continue
        if holder.kind == "user":
            if holder.id not in barred:
                return
            continue
        for member_id in directory.member_ids_of(session, holder.id):
            member = directory.get_subject(session, member_id)
            if member is not None and member.active and member_id not in barred:
                return
    raise LastPolicyAdmin(
        f"Refused {change}: it would leave no active policy admin, and the system must "
        "keep at least one. Grant policy_admin to someone else first."
    )


def _clash(
    session: Session,
    person: str,
    role: str,
    starts: datetime,
    ends: datetime | None,
    *,
    skip: str,
) -> tuple[str, Grant] | None:
    """A grant by which `person` holds a role conflicting with `role`, directly or through a
    group other than `skip`, over the period: (who holds it, the grant)."""
    holders = [person, *(g for g in directory.group_ids_of(session, person) if g != skip)]
    for holder in holders:
        if holder == skip:
            continue
        for other in sorted(CONFLICTING_ROLES[role]):
            found = repository.list_overlapping(
                session,
                subject_id=holder,
                role=other,
                domain=ORG_DOMAIN,
                valid_from=starts,
                valid_to=ends,
            )
            if found:
                return holder, found[0]
    return None


def _refuse(who: str, holder: str, person: str, grant: Grant, role: str) -> None:
    through = "" if holder == person else f" through group {holder}"
    raise SeparationOfDuties(
        f"{who} holds {grant.role} in org{through} (grant {grant.id}); " + _WHY.format(role=role),
        conflicting_grant_id=grant.id,
        conflicting_role=grant.role,
    )
