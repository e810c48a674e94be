"""Granting and revoking roles. Every change records who, when and why, and bumps the revision.

Grants are never deleted: revocation fills `revoked_at`, `revoked_by` and
`revocation_justification`, so the history answers who held what at any instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Role
from townhall_policy.audit.trail import record_event
from townhall_policy.directory.errors import InactiveSubject, UnknownSubject
from townhall_policy.domains import repository as domains
from townhall_policy.domains.errors import UnknownDomain
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.grants.authority import authorize_grant_change
from townhall_policy.grants.errors import (
    DuplicateGrant,
    GrantAlreadyRevoked,
    GrantNotFound,
    RoleNotHeldInDomain,
    ServiceGrantNotAllowed,
    UnknownRole,
)
from townhall_policy.holdings import duties
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.grants import repository
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.validity import check_period
from townhall_policy.roles import repository as roles
from townhall_policy.roles.models import RoleScope
from townhall_policy.timestamps import utcnow


def scope_of_domain(domain: str) -> RoleScope:
    """Roles granted in `org` are org roles; roles granted in a space are space roles."""
    return RoleScope.ORG if domain == ORG_DOMAIN else RoleScope.SPACE


def grant_role(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    subject_id: str,
    role: str,
    domain: str,
    granted_by: str,
    justification: str,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> Grant:
    """Grant a role on a human's own request, once `authorize_grant_change` allows it."""
    authorize_grant_change(
        session, snapshot, actor=granted_by, subject=subject_id, role=role, domain=domain
    )
    return create_grant(
        session,
        subject_id=subject_id,
        role=role,
        domain=domain,
        granted_by=granted_by,
        justification=justification,
        valid_from=valid_from,
        valid_to=valid_to,
        via=None,
    )


def grant_space_role_for_service(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    service: str,
    subject_id: str,
    role: str,
    domain: str,
    on_behalf_of: str,
    justification: str,
) -> tuple[Grant, bool]:
    """Grant a space role that a service relays on behalf of the human `on_behalf_of`.

    The human must be allowed exactly as on `/v1/grants` (the same check); the service
    adds no authority of its own. An identical grant in force is returned, not made
    again, so a retried call is harmless. Returns the grant and whether it was created.
    """
    if (
        scope_of_domain(domain) is not RoleScope.SPACE
        or roles.get_role(session, role, RoleScope.SPACE) is None
    ):
        raise ServiceGrantNotAllowed(
            f"Service {service} may grant space roles in space domains only, "
            f"not {role} in {domain}."
        )
    authorize_grant_change(
        session,
        snapshot,
        actor=on_behalf_of,
        subject=subject_id,
        role=role,
        domain=domain,
        relayed_by=service,
    )
    now = utcnow()
    for existing in repository.list_overlapping(
        session, subject_id=subject_id, role=role, domain=domain, valid_from=now, valid_to=None
    ):
        if existing.is_active_at(now):
            return existing, False
    grant = create_grant(
        session,
        subject_id=subject_id,
        role=role,
        domain=domain,
        granted_by=on_behalf_of,
        justification=justification,
        via=service,
    )
    return grant, True


def seed_grant(
    session: Session,
    *,
    subject_id: str,
    role: str,
    domain: str,
    granted_by: str,
    justification: str,
) -> bool:
    """Grant unless this role was ever granted to the subject there (revoked ones stay so)."""
    if repository.exists_any(session, subject_id=subject_id, role=role, domain=domain):
        return False
    create_grant(
        session,
        subject_id=subject_id,
        role=role,
        domain=domain,
        granted_by=granted_by,
        justification=justification,
        via="seed",
    )
    return True


def get_grant(session: Session, grant_id: str) -> Grant:
    """The grant, or `GrantNotFound`."""
    grant = repository.get_grant(session, grant_id)
    if grant is None:
        raise GrantNotFound(f"No grant {grant_id!r}.")
    return grant


def revoke_grant(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    grant_id: str,
    revoked_by: str,
    justification: str,
    relayed_by: str | None = None,
) -> Grant:
    """Revoke a grant, keeping the row and recording who, when and why.

    Authorized as granting is; the last active policy admin's role is never revoked.
    """
    grant = get_grant(session, grant_id)
    authorize_grant_change(
        session,
        snapshot,
        actor=revoked_by,
        subject=grant.subject_id,
        role=grant.role,
        domain=grant.domain,
        verb="revoke",
        relayed_by=relayed_by,
    )
    if grant.revoked_at is not None:
        raise GrantAlreadyRevoked(
            f"Grant {grant_id} was already revoked by {grant.revoked_by} "
            f"at {grant.revoked_at.isoformat()}.",
            revoked_at=grant.revoked_at.isoformat(),
            revoked_by=grant.revoked_by,
        )
    grant.revoked_at = utcnow()
    grant.revoked_by = revoked_by
    grant.revocation_justification = justification
    repository.save_grant(session, grant)
    record_event(
        session,
        actor=revoked_by,
        event_type="grant.revoked",
        target=f"grant:{grant.id}",
        domain=grant.domain,
        justification=justification,
        payload={**grant_payload(grant), "revoked_at": grant.revoked_at.isoformat()},
    )
    if grant.role == Role.POLICY_ADMIN.value and grant.domain == ORG_DOMAIN:
        duties.ensure_a_policy_admin_remains(session, change=f"revoking grant {grant.id}")
    return grant


def revoke_space_role_for_service(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    service: str,
    subject_id: str,
    role: str,
    domain: str,
    on_behalf_of: str,
    justification: str,
) -> list[Grant]:
    """Revoke the grants in force of `role` in `domain` to `subject_id`, relayed by a
    service on behalf of the human `on_behalf_of` (authorized as theirs, as granting is).
    `GrantNotFound` when none is in force: nothing to give back."""
    if scope_of_domain(domain) is not RoleScope.SPACE:
        raise ServiceGrantNotAllowed(
            f"Service {service} may revoke space roles in space domains only, not {domain}."
        )
    now = utcnow()
    held = [
        grant
        for grant in repository.list_overlapping(
            session, subject_id=subject_id, role=role, domain=domain, valid_from=now, valid_to=None
        )
        if grant.is_active_at(now)
    ]
    if not held:
        raise GrantNotFound(f"{subject_id} holds no {role} grant in {domain}.")
    return [
        revoke_grant(
            session,
            snapshot,
            grant_id=grant.id,
            revoked_by=on_behalf_of,
            justification=justification,
            relayed_by=service,
        )
        for grant in held
    ]


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
    """Grants, current and past, filtered by subject, role, domain or an instant."""
    return repository.list_grants(
        session,
        subject_id=subject_id,
        role=role,
        domain=domain,
        active_at=active_at,
        limit=limit,
        offset=offset,
    )


def create_grant(
    session: Session,
    *,
    subject_id: str,
    role: str,
    domain: str,
    granted_by: str,
    justification: str,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    via: str | None,
) -> Grant:
    now = utcnow()
    starts = valid_from or now
    check_period(starts, valid_to, now=now, what="grants")
    _check_grantable(session, subject_id=subject_id, role=role, domain=domain)
    duties.check_grant(
        session, subject_id=subject_id, role=role, domain=domain, starts=starts, ends=valid_to
    )
    _check_no_overlap(
        session, subject_id=subject_id, role=role, domain=domain, starts=starts, ends=valid_to
    )
    grant = repository.save_grant(
        session,
        Grant(
            subject_id=subject_id,
            role=role,
            domain=domain,
            valid_from=starts,
            valid_to=valid_to,
            granted_by=granted_by,
            granted_at=now,
            justification=justification,
        ),
    )
    record_event(
        session,
        actor=granted_by,
        event_type="grant.created",
        target=f"grant:{grant.id}",
        domain=domain,
        justification=justification,
        payload={**grant_payload(grant), "via": via},
    )
    return grant


def _check_grantable(session: Session, *, subject_id: str, role: str, domain: str) -> None:
    """An active subject, a registered domain, and a role held in that kind of domain."""
    subject = directory.get_subject(session, subject_id)
    if subject is None:
        raise UnknownSubject(f"No subject {subject_id!r} in the directory.")
    if not subject.active:
        raise InactiveSubject(f"Subject {subject_id!r} is deactivated and cannot receive grants.")
    if domains.get_domain(session, domain) is None:
        raise UnknownDomain(f"Domain {domain!r} is not registered with policy.")
    scope = scope_of_domain(domain)
    if roles.get_role(session, role, scope) is None:
        other = RoleScope.SPACE if scope is RoleScope.ORG else RoleScope.ORG
        if roles.get_role(session, role, other) is not None:
            where = "org" if other is RoleScope.ORG else "a space domain"
            raise RoleNotHeldInDomain(f"{role} is held in {where}, not in {domain}.")
        raise UnknownRole(f"No role {role!r}.")


def _check_no_overlap(
    session: Session,
    *,
    subject_id: str,
    role: str,
    domain: str,
    starts: datetime,
    ends: datetime | None,
) -> None:
    overlapping = repository.list_overlapping(
        session, subject_id=subject_id, role=role, domain=domain, valid_from=starts, valid_to=ends
    )
    if overlapping:
        raise DuplicateGrant(
            f"{subject_id} already holds {role} in {domain} over that period "
            f"(grant {overlapping[0].id}).",
            grant_id=overlapping[0].id,
        )


def grant_payload(grant: Grant) -> dict[str, str | None]:
    return {
        "grant_id": grant.id,
        "subject": grant.subject_id,
        "role": grant.role,
        "domain": grant.domain,
        "valid_from": grant.valid_from.isoformat(),
        "valid_to": grant.valid_to.isoformat() if grant.valid_to else None,
        "granted_by": grant.granted_by,
        "granted_at": grant.granted_at.isoformat(),
    }
