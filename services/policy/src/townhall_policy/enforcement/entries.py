"""The rows a snapshot is built from, and what a decision finds in it.

Plain frozen values: a snapshot shares them between revisions without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from townhall_contracts.policy import ORG_DOMAIN, GrantRef

ORG_SCOPE = "org"
SPACE_SCOPE = "space"
DENY = "deny"
ALLOW = "allow"
EVERY_ACTION = "*"
FULL_RELOAD = "full reload"
APPLIED_CHANGES = "applied changes"


def principal_of(kind: str, subject_id: str) -> str:
    """A subject's principal: `user:alice`, `group:engineering` (role paths start with it).

    The prefix keeps subjects apart from role names in a role path.
    """
    return f"{kind}:{subject_id}"


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    id: str
    kind: str
    active: bool

    @property
    def principal(self) -> str:
        return principal_of(self.kind, self.id)


@dataclass(frozen=True, slots=True)
class DomainEntry:
    id: str
    domain_class: str


@dataclass(frozen=True, slots=True)
class RoleEntry:
    name: str
    scope: str
    rank: int


@dataclass(frozen=True, slots=True)
class PermissionEntry:
    """A role may (`allow`) or may never (`deny`) do `action` in domains of a class.

    A deny overrides every allow the subject holds, as a suspension does: it is how a
    role keeps duties apart (compliance officers read everything and change nothing).
    """

    role: str
    scope: str
    domain_class: str
    action: str
    effect: str = ALLOW

    @property
    def rule(self) -> list[str]:
        """The rule as text: role, class, action, scope, effect (shown in explanations)."""
        return [self.role, self.domain_class, self.action, self.scope, self.effect]


@dataclass(frozen=True, slots=True)
class GrantEntry:
    id: str
    subject_id: str
    role: str
    domain: str
    granted_by: str
    granted_at: datetime
    justification: str
    valid_from: datetime
    valid_to: datetime | None

    def in_force_at(self, instant: datetime) -> bool:
        return self.valid_from <= instant and (self.valid_to is None or instant < self.valid_to)

    def ref(self) -> GrantRef:
        return GrantRef.model_construct(
            id=self.id,
            subject=self.subject_id,
            role=self.role,
            domain=self.domain,
            granted_by=self.granted_by,
            granted_at=self.granted_at,
            justification=self.justification,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )


@dataclass(frozen=True, slots=True)
class SuspensionEntry:
    """A deny rule: `subject` may not do `action` (None: anything) in `domain` (org: anywhere)."""

    id: str
    subject_id: str
    domain: str
    action: str | None
    created_by: str
    created_at: datetime
    justification: str
    valid_from: datetime
    valid_to: datetime | None

    def covers(self, domain: str, action: str) -> bool:
        return (self.domain == ORG_DOMAIN or self.domain == domain) and (
            self.action is None or self.action == action
        )

    def rule(self, principal: str) -> list[str]:
        return [principal, self.domain, self.action or EVERY_ACTION, DENY, DENY]


@dataclass(frozen=True)
class PolicyData:
    """The rows a snapshot is built from, read at one revision."""

    revision: int
    loaded_at: datetime
    subjects: tuple[SubjectEntry, ...]
    memberships: tuple[tuple[str, str], ...]  # (group_id, member_id)
    domains: tuple[DomainEntry, ...]
    roles: tuple[RoleEntry, ...]
    permissions: tuple[PermissionEntry, ...]
    grants: tuple[GrantEntry, ...]  # unrevoked and not yet expired at loaded_at
    suspensions: tuple[SuspensionEntry, ...] = ()  # unlifted and not yet expired
    audit_seq: int = 0  # the audit trail's head when read


@dataclass(frozen=True, slots=True)
class HeldRole:
    """A role a subject holds, directly or through a group, and the grant behind it."""

    grant: GrantEntry
    via_group: str | None = None

    def role_path(self, subject: SubjectEntry) -> list[str]:
        path = [subject.principal]
        if self.via_group is not None:
            path.append(principal_of("group", self.via_group))
        path.append(f"{self.grant.role}@{self.grant.domain}")
        return path


@dataclass(frozen=True, slots=True)
class Match:
    """What the fast path found: the permission that allows, and the grant behind it."""

    permission: PermissionEntry
    held: HeldRole


@dataclass(frozen=True)
class Sources:
    """The rows behind a snapshot, per subject, kept so a change can be applied to a copy.

    Grants and suspensions are those unrevoked (unlifted) and not yet expired when read;
    `boundary_of` is each subject's next validity boundary as of the snapshot.
    """

    grant_rows_of: Mapping[str, tuple[GrantEntry, ...]]
    suspension_rows_of: Mapping[str, tuple[SuspensionEntry, ...]]
    group_ids_of: Mapping[str, frozenset[str]]  # member -> groups, active or not
    member_ids_of: Mapping[str, frozenset[str]]  # group -> members, active or not
    boundary_of: Mapping[str, datetime]
    roles: tuple[RoleEntry, ...]
    permissions: tuple[PermissionEntry, ...]


@dataclass(frozen=True)
class SubjectChanges:
    """Fresh rows for the subjects a change touched (or whose validity boundary passed).

    `subjects` maps each touched id to its row (None: no such subject); the other
    mappings hold that subject's rows as a member, a grantee, a suspended subject.
    `domains` is every domain row when a domain changed, else None.
    """

    revision: int
    audit_seq: int
    subjects: Mapping[str, SubjectEntry | None]
    grant_rows_of: Mapping[str, tuple[GrantEntry, ...]]
    suspension_rows_of: Mapping[str, tuple[SuspensionEntry, ...]]
    group_ids_of: Mapping[str, frozenset[str]]
    domains: tuple[DomainEntry, ...] | None = None
