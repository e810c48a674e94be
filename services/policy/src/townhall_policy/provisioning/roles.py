"""Grants made by provisioning rather than by a person's request: the first administrator,
and the org roles a directory import (the HR system's file) says each employee holds.

Both are run by an operator who holds the database (the CLI) or by a policy admin (the
import endpoint), so no further authority is checked; every change is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Role
from townhall_policy.audit.trail import record_event
from townhall_policy.grants.errors import UnknownRole
from townhall_policy.grants.service import create_grant, grant_payload
from townhall_policy.holdings.grants import repository
from townhall_policy.roles import repository as roles
from townhall_policy.roles.models import RoleScope
from townhall_policy.timestamps import utcnow

# Administrators are made by `bootstrap-admin` or by another administrator's grant, never
# by a file: a row in an HR export must not be able to hand out the policy itself.
NOT_IMPORTABLE = frozenset({Role.POLICY_ADMIN.value})


@dataclass(frozen=True)
class BootstrapOutcome:
    created: bool
    # The active policy administrators after the call (the new one, or those already there).
    admins: tuple[str, ...]


def active_policy_admins(session: Session) -> tuple[str, ...]:
    now = utcnow()
    grants = repository.list_grants(
        session, role=Role.POLICY_ADMIN.value, domain=ORG_DOMAIN, active_at=now, limit=1000
    )
    return tuple(sorted({grant.subject_id for grant in grants}))


def bootstrap_admin(
    session: Session, *, subject_id: str, actor: str, justification: str
) -> BootstrapOutcome:
    """Grant `policy_admin` in org to `subject_id` unless an active administrator exists."""
    existing = active_policy_admins(session)
    if existing:
        return BootstrapOutcome(created=False, admins=existing)
    grant = create_grant(
        session,
        subject_id=subject_id,
        role=Role.POLICY_ADMIN.value,
        domain=ORG_DOMAIN,
        granted_by=actor,
        justification=justification,
        via="bootstrap",
    )
    return BootstrapOutcome(created=True, admins=(grant.subject_id,))


@dataclass
class RoleSync:
    granted: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)


def check_importable(session: Session, names: Iterable[str]) -> None:
    for name in names:
        if name in NOT_IMPORTABLE:
            raise UnknownRole(f"{name} cannot be given by a directory import (bootstrap-admin).")
        if roles.get_role(session, name, RoleScope.ORG) is None:
            raise UnknownRole(f"{name!r} is not an org role.")


def sync_org_roles(
    session: Session, *, subject_id: str, wanted: Iterable[str], actor: str, justification: str
) -> RoleSync:
    """Make `subject_id`'s org roles (administration aside) exactly `wanted`."""
    wanted_set = set(wanted)
    check_importable(session, wanted_set)
    now = utcnow()
    held = [
        grant
        for grant in repository.list_grants(
            session, subject_id=subject_id, domain=ORG_DOMAIN, active_at=now, limit=1000
        )
        if grant.role not in NOT_IMPORTABLE
    ]
    outcome = RoleSync()
    for grant in held:
        if grant.role in wanted_set:
            continue
        grant.revoked_at = now
        grant.revoked_by = actor
        grant.revocation_justification = justification
        repository.save_grant(session, grant)
        record_event(
            session,
            actor=actor,
            event_type="grant.revoked",
            target=f"grant:{grant.id}",
            domain=ORG_DOMAIN,
            justification=justification,
            payload={**grant_payload(grant), "revoked_at": now.isoformat(), "via": "import"},
        )
        outcome.revoked.append(grant.role)
    for name in sorted(wanted_set - {grant.role for grant in held}):
        create_grant(
            session,
            subject_id=subject_id,
            role=name,
            domain=ORG_DOMAIN,
            granted_by=actor,
            justification=justification,
            via="import",
        )
        outcome.granted.append(name)
    return outcome
