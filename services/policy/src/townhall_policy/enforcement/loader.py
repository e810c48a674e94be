"""Reading the policy tables into `PolicyData`, consistently at one revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_policy.directory import repository as directory
from townhall_policy.domains import repository as domains
from townhall_policy.enforcement.snapshot import (
    DomainEntry,
    GrantEntry,
    PermissionEntry,
    PolicyData,
    RoleEntry,
    SubjectEntry,
    SuspensionEntry,
)
from townhall_policy.grants import repository as grants
from townhall_policy.revision import repository as revision
from townhall_policy.roles import repository as roles
from townhall_policy.suspensions import repository as suspensions

MAX_ATTEMPTS = 5


class InconsistentRead(RuntimeError):
    """The policy kept changing while it was being read."""


def read_revision(engine: Engine) -> int:
    """The revision stored in the database right now."""
    with Session(engine) as session:
        return revision.current_revision(session)


def load_policy_data(engine: Engine, *, now: datetime) -> PolicyData:
    """Read every row a snapshot needs, all at the same revision.

    Every change bumps the revision in its own transaction, so reading the revision
    before and after, and retrying when it moved, yields a consistent set of rows on
    SQLite and PostgreSQL alike without holding a long transaction.
    """
    for _ in range(MAX_ATTEMPTS):
        with Session(engine) as session:
            before = revision.current_revision(session)
            data = PolicyData(
                revision=before,
                loaded_at=now,
                subjects=tuple(
                    SubjectEntry(id=i, kind=k, active=bool(a))
                    for i, k, a in directory.subject_rows(session)
                ),
                memberships=tuple(directory.membership_rows(session)),
                domains=tuple(
                    DomainEntry(id=d.id, domain_class=d.domain_class)
                    for d in domains.list_domains(session)
                ),
                roles=tuple(
                    RoleEntry(name=r.name, scope=r.scope, rank=r.rank)
                    for r in roles.list_roles(session)
                ),
                permissions=tuple(
                    PermissionEntry(
                        role=p.role, scope=p.scope, domain_class=p.domain_class, action=p.action
                    )
                    for p in roles.list_permissions(session)
                ),
                grants=tuple(
                    GrantEntry(*row) for row in grants.current_and_future_rows(session, now=now)
                ),
                suspensions=tuple(
                    SuspensionEntry(
                        id=s.id,
                        subject_id=s.subject_id,
                        domain=s.domain,
                        action=s.action,
                        created_by=s.created_by,
                        created_at=s.created_at,
                        justification=s.justification,
                        valid_from=s.valid_from,
                        valid_to=s.valid_to,
                    )
                    for s in suspensions.list_current_and_future(session, now=now)
                ),
            )
            session.rollback()
            if revision.current_revision(session) == before:
                return data
    raise InconsistentRead(f"the policy changed during each of {MAX_ATTEMPTS} reads")
