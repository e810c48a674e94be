"""An immutable snapshot of the policy at one revision, with the fast path that decides on it.

A snapshot is built off to the side from rows read in one consistent pass, then
published by swapping one reference: checks running on the previous snapshot finish
on it undisturbed.

Decisions run on plain dictionaries derived from the grant tables: a subject's org
roles, its roles per space domain, the roles each (domain class, action) needs, and
the subject's suspensions. This is the decision path. casbin is the reference model
the differential tests compare it with (`enforcement.reference`); it plays no part in
deciding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from townhall_contracts.policy import ORG_DOMAIN
from townhall_policy.enforcement.entries import (
    ALLOW,
    APPLIED_CHANGES,
    DENY,
    FULL_RELOAD,
    ORG_SCOPE,
    SPACE_SCOPE,
    DomainEntry,
    GrantEntry,
    HeldRole,
    Match,
    PermissionEntry,
    PolicyData,
    Sources,
    SubjectChanges,
    SubjectEntry,
    SuspensionEntry,
)
from townhall_policy.enforcement.indexes import (
    Indexes,
    by_subject,
    group_rows,
    put,
    role_candidates,
    with_changes,
)


@dataclass(frozen=True)
class PolicySnapshot:
    """The policy at one revision, and the fast path that decides on it."""

    revision: int
    loaded_at: datetime
    next_boundary: datetime | None
    subjects: Mapping[str, SubjectEntry]
    domains: Mapping[str, DomainEntry]
    groups_of: Mapping[str, tuple[str, ...]]
    grants_of: Mapping[str, tuple[GrantEntry, ...]]
    role_candidates: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]
    role_denials: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]
    org_roles: Mapping[str, Mapping[str, HeldRole]]
    space_roles: Mapping[tuple[str, str], Mapping[str, HeldRole]]
    suspensions_of: Mapping[str, tuple[SuspensionEntry, ...]]
    sources: Sources = field(repr=False)
    # The audit trail's head when the rows were read: changes since are the events after it.
    audit_seq: int = 0
    # How this snapshot came to be: FULL_RELOAD or APPLIED_CHANGES (shown by /v1/revision).
    loaded_by: str = FULL_RELOAD

    @classmethod
    def build(cls, data: PolicyData) -> PolicySnapshot:
        """Derive the fast path's indexes from every row."""
        sources = Sources(
            grant_rows_of=by_subject(data.grants),
            suspension_rows_of=by_subject(data.suspensions),
            group_ids_of=group_rows((m, g) for g, m in data.memberships),
            member_ids_of=group_rows(data.memberships),
            boundary_of={},
            roles=data.roles,
            permissions=data.permissions,
        )
        indexes = Indexes({s.id: s for s in data.subjects}, {}, {}, {}, {}, {}, {})
        for subject_id in indexes.subjects:
            indexes.derive_own(subject_id, sources, data.loaded_at)
        for subject_id in indexes.subjects:
            indexes.derive_roles(subject_id, sources)
        return cls._publish(
            indexes,
            replace(sources, boundary_of=indexes.boundary_of),
            revision=data.revision,
            audit_seq=data.audit_seq,
            now=data.loaded_at,
            domains={d.id: d for d in data.domains},
            role_candidates=role_candidates(data.roles, data.permissions),
            role_denials=role_candidates(data.roles, data.permissions, effect=DENY),
        )

    def apply(self, changes: SubjectChanges, *, now: datetime) -> PolicySnapshot:
        """A new snapshot: this one with the touched subjects' rows replaced (copy on write).

        Only the touched subjects and the members of touched groups are derived again,
        by the same steps as a full build; everything else is shared with this snapshot.
        The caller includes every subject whose validity boundary passed by `now`.
        """
        touched = set(changes.subjects)
        indexes = Indexes(
            dict(self.subjects),
            dict(self.groups_of),
            dict(self.grants_of),
            dict(self.suspensions_of),
            dict(self.org_roles),
            dict(self.space_roles),
            dict(self.sources.boundary_of),
        )
        # Members of touched groups hold roles through them (a member who joined or left
        # is touched itself), so they are derived again too.
        rederive = set(touched)
        for subject_id in touched:
            rederive.update(self.sources.member_ids_of.get(subject_id, ()))
        for subject_id in rederive:
            indexes.forget_space_roles(subject_id)
        for subject_id, entry in changes.subjects.items():
            put(indexes.subjects, subject_id, entry)
        sources = with_changes(self.sources, changes)
        for subject_id in touched:
            indexes.derive_own(subject_id, sources, now)
        for subject_id in rederive:
            indexes.derive_roles(subject_id, sources)
        domains = self.domains
        if changes.domains is not None:
            domains = {d.id: d for d in changes.domains}
        return self._publish(
            indexes,
            replace(sources, boundary_of=indexes.boundary_of),
            revision=changes.revision,
            audit_seq=changes.audit_seq,
            now=now,
            domains=domains,
            role_candidates=self.role_candidates,
            role_denials=self.role_denials,
            loaded_by=APPLIED_CHANGES,
        )

    @classmethod
    def _publish(
        cls,
        indexes: Indexes,
        sources: Sources,
        *,
        revision: int,
        audit_seq: int,
        now: datetime,
        domains: Mapping[str, DomainEntry],
        role_candidates: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]],
        role_denials: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]],
        loaded_by: str = FULL_RELOAD,
    ) -> PolicySnapshot:
        boundaries = sources.boundary_of.values()
        return cls(
            revision=revision,
            loaded_at=now,
            next_boundary=min(boundaries) if boundaries else None,
            subjects=indexes.subjects,
            domains=domains,
            groups_of=indexes.groups_of,
            grants_of=indexes.grants_of,
            role_candidates=role_candidates,
            role_denials=role_denials,
            org_roles=indexes.org_roles,
            space_roles=indexes.space_roles,
            suspensions_of=indexes.suspensions_of,
            sources=sources,
            audit_seq=audit_seq,
            loaded_by=loaded_by,
        )

    def suspension_for(self, subject_id: str, domain: str, action: str) -> SuspensionEntry | None:
        """The suspension in force that forbids this, if any (deny overrides allow)."""
        for suspension in self.suspensions_of.get(subject_id, ()):
            if suspension.covers(domain, action):
                return suspension
        return None

    def find_allow(self, subject_id: str, domain: DomainEntry, action: str) -> Match | None:
        """The least privileged role the subject holds that allows `action` in `domain`.

        Space roles held in the domain come first, then org roles, each by rank.
        """
        return self._find(self.role_candidates, subject_id, domain, action, ALLOW)

    def find_deny(self, subject_id: str, domain: DomainEntry, action: str) -> Match | None:
        """A role the subject holds whose deny rule forbids `action` in `domain`, if any.

        A deny overrides every allow: holding the role is enough, whatever else is held.
        """
        return self._find(self.role_denials, subject_id, domain, action, DENY)

    def _find(
        self,
        rules: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]],
        subject_id: str,
        domain: DomainEntry,
        action: str,
        effect: str,
    ) -> Match | None:
        candidates = rules.get((domain.domain_class, action))
        if not candidates:
            return None
        if domain.id != ORG_DOMAIN:
            held_here = self.space_roles.get((subject_id, domain.id))
            if held_here:
                for role in candidates.get(SPACE_SCOPE, ()):
                    held = held_here.get(role)
                    if held is not None:
                        permission = PermissionEntry(
                            role, SPACE_SCOPE, domain.domain_class, action, effect
                        )
                        return Match(permission, held)
        held_in_org = self.org_roles.get(subject_id)
        if held_in_org:
            for role in candidates.get(ORG_SCOPE, ()):
                held = held_in_org.get(role)
                if held is not None:
                    return Match(
                        PermissionEntry(role, ORG_SCOPE, domain.domain_class, action, effect),
                        held,
                    )
        return None

    def allows(self, subject_id: str, domain_id: str, action: str) -> bool:
        """The fast path's yes or no (what the differential tests compare with casbin)."""
        subject = self.subjects.get(subject_id)
        domain = self.domains.get(domain_id)
        if subject is None or not subject.active or domain is None:
            return False
        if self.suspension_for(subject_id, domain_id, action) is not None:
            return False
        if self.find_deny(subject_id, domain, action) is not None:
            return False
        return self.find_allow(subject_id, domain, action) is not None

    def held_roles(self, subject_id: str) -> list[HeldRole]:
        """Every role the subject holds now, directly first, then through its groups."""
        held = [HeldRole(g) for g in self.grants_of.get(subject_id, ())]
        for group_id in self.groups_of.get(subject_id, ()):
            held.extend(HeldRole(g, via_group=group_id) for g in self.grants_of.get(group_id, ()))
        return held

    def find_held_role(self, subject_id: str, role: str, domain: str) -> HeldRole | None:
        """The grant through which the subject holds `role` in `domain`, if any."""
        if domain == ORG_DOMAIN:
            return self.org_roles.get(subject_id, {}).get(role)
        return self.space_roles.get((subject_id, domain), {}).get(role)

    def suggest_role(self, action: str, domain: DomainEntry) -> tuple[str, str] | None:
        """The closest role that would allow `action` in `domain`: (role, where to hold it).

        In a space, a space role is suggested when one allows the action (member before
        owner); otherwise the least privileged org role (communicator before approver).
        """
        by_scope = self.role_candidates.get((domain.domain_class, action), {})
        if domain.id != ORG_DOMAIN and by_scope.get(SPACE_SCOPE):
            return by_scope[SPACE_SCOPE][0], domain.id
        if by_scope.get(ORG_SCOPE):
            return by_scope[ORG_SCOPE][0], ORG_DOMAIN
        return None
