"""A subject's principals, from the grants, groups and suspensions in force now.

The tokens are those of `townhall_contracts.readers`: publishing and search match
them against a post's `readers`. "May read" means here what it means in a decision:
a token is held only while the decisions would let the subject read (and, for the
moderator tokens, moderate) where it applies. `org`, the reading of public spaces, is
held through any org role whose permissions read both kinds of public space (every
employee's, and a communicator's who is no employee). A deactivated subject, or one
suspended from reading in `org` (which covers every space), holds none. Reading is
suspended in `org` only (see `suspensions.service`); a suspension from reading one space
made before that rule still drops that space's tokens.
"""

from __future__ import annotations

from townhall_contracts.policy import ORG_DOMAIN, Action, Principals, Role
from townhall_contracts.readers import (
    AUDITOR,
    ORG,
    ORG_MODERATOR,
    group_principal,
    space_moderator_principal,
)
from townhall_policy.directory.errors import SubjectNotFound
from townhall_policy.domains.models import SPACE_PREFIX
from townhall_policy.enforcement.entries import ALLOW
from townhall_policy.enforcement.snapshot import PolicySnapshot

_SPACE_MODERATING_ROLES = frozenset({Role.MODERATOR.value, Role.OWNER.value})
_PUBLIC_CLASSES = frozenset({"community-public", "announcement-public"})


def principals_of(snapshot: PolicySnapshot, subject_id: str) -> Principals:
    """The principals of a subject; an inactive subject has none."""
    subject = snapshot.subjects.get(subject_id)
    if subject is None:
        raise SubjectNotFound(f"No subject {subject_id!r} in the directory.")
    if not subject.active:
        return Principals(
            subject=subject_id, active=False, principals=[], policy_revision=snapshot.revision
        )
    if _suspended(snapshot, subject_id, ORG_DOMAIN, Action.READ):
        # Policy refuses this subject `read` everywhere: not even its own drafts.
        return Principals(
            subject=subject_id, active=True, principals=[], policy_revision=snapshot.revision
        )
    # `user:<id>` for a user, `group:<id>` for a group: the subject itself.
    tokens = {subject.principal}
    tokens.update(group_principal(g) for g in snapshot.groups_of.get(subject_id, ()))
    for held in snapshot.held_roles(subject_id):
        role, domain = held.grant.role, held.grant.domain
        if domain == ORG_DOMAIN:
            if _reads_public_spaces(snapshot, role):
                tokens.add(ORG)
            if role == Role.MODERATOR:
                if not _suspended(snapshot, subject_id, domain, Action.MODERATE):
                    tokens.add(ORG_MODERATOR)
            elif role == Role.COMPLIANCE_OFFICER:
                tokens.add(AUDITOR)
        elif domain.startswith(SPACE_PREFIX):
            if _suspended(snapshot, subject_id, domain, Action.READ):
                continue
            tokens.add(domain)
            if role in _SPACE_MODERATING_ROLES and not _suspended(
                snapshot, subject_id, domain, Action.MODERATE
            ):
                tokens.add(space_moderator_principal(domain.removeprefix(SPACE_PREFIX)))
    return Principals(
        subject=subject_id,
        active=True,
        principals=sorted(tokens),
        policy_revision=snapshot.revision,
    )


def _suspended(snapshot: PolicySnapshot, subject_id: str, domain: str, action: Action) -> bool:
    """True when a suspension in force forbids `action` in `domain`, as in a decision."""
    return snapshot.suspension_for(subject_id, domain, action.value) is not None


def _reads_public_spaces(snapshot: PolicySnapshot, org_role: str) -> bool:
    """True when the org role's permissions allow `read` in every public space."""
    reading = {
        p.domain_class
        for p in snapshot.sources.permissions
        if p.role == org_role
        and p.scope == ORG_DOMAIN
        and p.action == Action.READ.value
        and p.effect == ALLOW
    }
    return reading >= _PUBLIC_CLASSES
