"""A subject's principals, from the grants and groups it holds now.

The tokens are those of `townhall_contracts.readers`: publishing and search match
them against a post's `readers`.
"""

from __future__ import annotations

from townhall_contracts.policy import ORG_DOMAIN, Principals, Role
from townhall_contracts.readers import (
    AUDITOR,
    ORG,
    ORG_MODERATOR,
    group_principal,
    space_moderator_principal,
)
from townhall_policy.directory.errors import SubjectNotFound
from townhall_policy.domains.models import SPACE_PREFIX
from townhall_policy.enforcement.snapshot import PolicySnapshot

_SPACE_MODERATING_ROLES = frozenset({Role.MODERATOR.value, Role.OWNER.value})


def principals_of(snapshot: PolicySnapshot, subject_id: str) -> Principals:
    """The principals of a subject; an inactive subject has none."""
    subject = snapshot.subjects.get(subject_id)
    if subject is None:
        raise SubjectNotFound(f"No subject {subject_id!r} in the directory.")
    if not subject.active:
        return Principals(
            subject=subject_id, active=False, principals=[], policy_revision=snapshot.revision
        )
    # `user:<id>` for a user, `group:<id>` for a group: the subject itself.
    tokens = {subject.casbin_name}
    tokens.update(group_principal(g) for g in snapshot.groups_of.get(subject_id, ()))
    for held in snapshot.held_roles(subject_id):
        role, domain = held.grant.role, held.grant.domain
        if domain == ORG_DOMAIN:
            if role == Role.EMPLOYEE:
                tokens.add(ORG)
            elif role == Role.MODERATOR:
                tokens.add(ORG_MODERATOR)
            elif role == Role.COMPLIANCE_OFFICER:
                tokens.add(AUDITOR)
        elif domain.startswith(SPACE_PREFIX):
            tokens.add(domain)
            if role in _SPACE_MODERATING_ROLES:
                tokens.add(space_moderator_principal(domain.removeprefix(SPACE_PREFIX)))
    return Principals(
        subject=subject_id,
        active=True,
        principals=sorted(tokens),
        policy_revision=snapshot.revision,
    )
