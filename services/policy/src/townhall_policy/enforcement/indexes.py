"""The fast path's indexes while a snapshot is built or updated, and how they are derived.

A full build and an applied change derive a subject's entries by the same steps, so
the two cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from townhall_contracts.policy import ORG_DOMAIN
from townhall_policy.enforcement.entries import (
    ALLOW,
    GrantEntry,
    HeldRole,
    PermissionEntry,
    RoleEntry,
    Sources,
    SubjectChanges,
    SubjectEntry,
    SuspensionEntry,
)


@dataclass(frozen=True)
class Indexes:
    """The fast path's mutable indexes while a snapshot is being built or updated."""

    subjects: dict[str, SubjectEntry]
    groups_of: dict[str, tuple[str, ...]]
    grants_of: dict[str, tuple[GrantEntry, ...]]
    suspensions_of: dict[str, tuple[SuspensionEntry, ...]]
    org_roles: dict[str, Mapping[str, HeldRole]]
    space_roles: dict[tuple[str, str], Mapping[str, HeldRole]]
    boundary_of: dict[str, datetime]

    def is_active(self, subject_id: str) -> bool:
        subject = self.subjects.get(subject_id)
        return subject is not None and subject.active

    def derive_own(self, subject_id: str, sources: Sources, now: datetime) -> None:
        """A subject's grants and suspensions in force at `now`, and its next boundary."""
        active = self.is_active(subject_id)
        boundaries: list[datetime] = []
        current: list[GrantEntry] = []
        if active:
            for grant in sources.grant_rows_of.get(subject_id, ()):
                if grant.valid_from > now:
                    boundaries.append(grant.valid_from)
                    continue
                if grant.valid_to is not None:
                    boundaries.append(grant.valid_to)
                current.append(grant)
        current.sort(key=lambda g: (g.granted_at, g.id))
        suspended: list[SuspensionEntry] = []
        for suspension in sources.suspension_rows_of.get(subject_id, ()):
            if suspension.valid_from > now:
                boundaries.append(suspension.valid_from)
                continue
            if suspension.valid_to is not None:
                boundaries.append(suspension.valid_to)
            if active:
                suspended.append(suspension)
        suspended.sort(key=lambda s: (s.created_at, s.id))
        put(self.grants_of, subject_id, tuple(current))
        put(self.suspensions_of, subject_id, tuple(suspended))
        put(self.boundary_of, subject_id, min(boundaries) if boundaries else None)

    def derive_roles(self, subject_id: str, sources: Sources) -> None:
        """A subject's active groups and the roles it holds: direct first, then by group."""
        groups: tuple[str, ...] = ()
        if self.is_active(subject_id):
            groups = tuple(
                sorted(g for g in sources.group_ids_of.get(subject_id, ()) if self.is_active(g))
            )
        put(self.groups_of, subject_id, groups)
        org: dict[str, HeldRole] = {}
        by_space: dict[str, dict[str, HeldRole]] = {}
        for via, held_by in ((None, subject_id), *((g, g) for g in groups)):
            for grant in self.grants_of.get(held_by, ()):
                held = HeldRole(grant, via_group=via)
                if grant.domain == ORG_DOMAIN:
                    org.setdefault(grant.role, held)
                else:
                    by_space.setdefault(grant.domain, {}).setdefault(grant.role, held)
        put(self.org_roles, subject_id, org)
        for domain, roles in by_space.items():
            self.space_roles[(subject_id, domain)] = roles

    def forget_space_roles(self, subject_id: str) -> None:
        """Drop the subject's space roles (before deriving them again)."""
        sources = (subject_id, *self.groups_of.get(subject_id, ()))
        for held_by in sources:
            for grant in self.grants_of.get(held_by, ()):
                if grant.domain != ORG_DOMAIN:
                    self.space_roles.pop((subject_id, grant.domain), None)


def put(mapping: dict[str, Any], key: str, value: Any) -> None:
    """Set `key`, or remove it when `value` is empty (a full build holds no empty entries)."""
    if value:
        mapping[key] = value
    else:
        mapping.pop(key, None)


def with_changes(sources: Sources, changes: SubjectChanges) -> Sources:
    """`sources` with the touched subjects' rows replaced, group memberships both ways."""
    grant_rows_of = dict(sources.grant_rows_of)
    suspension_rows_of = dict(sources.suspension_rows_of)
    group_ids_of = dict(sources.group_ids_of)
    member_ids_of = dict(sources.member_ids_of)
    for subject_id in changes.subjects:
        put(grant_rows_of, subject_id, changes.grant_rows_of.get(subject_id, ()))
        put(suspension_rows_of, subject_id, changes.suspension_rows_of.get(subject_id, ()))
        before = sources.group_ids_of.get(subject_id, frozenset())
        after = changes.group_ids_of.get(subject_id, frozenset())
        put(group_ids_of, subject_id, after)
        for group_id in before - after:
            put(member_ids_of, group_id, member_ids_of.get(group_id, frozenset()) - {subject_id})
        for group_id in after - before:
            member_ids_of[group_id] = member_ids_of.get(group_id, frozenset()) | {subject_id}
    return replace(
        sources,
        grant_rows_of=grant_rows_of,
        suspension_rows_of=suspension_rows_of,
        group_ids_of=group_ids_of,
        member_ids_of=member_ids_of,
    )


def group_rows(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        found[key].add(value)
    return {k: frozenset(v) for k, v in found.items()}


def by_subject(rows: Iterable[Any]) -> dict[str, tuple[Any, ...]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.subject_id].append(row)
    return {k: tuple(v) for k, v in found.items()}


def role_candidates(
    roles: Iterable[RoleEntry], permissions: Iterable[PermissionEntry], *, effect: str = ALLOW
) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(domain class, action) -> scope -> the roles with a rule of `effect` for it, by rank."""
    rank = {(r.name, r.scope): r.rank for r in roles}
    found: dict[tuple[str, str], dict[str, set[str]]] = {}
    for p in permissions:
        if p.effect != effect:
            continue
        found.setdefault((p.domain_class, p.action), {}).setdefault(p.scope, set()).add(p.role)

    def least_privileged_first(names: set[str], scope: str) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda name: (rank.get((name, scope), 1_000), name)))

    return {
        key: {scope: least_privileged_first(names, scope) for scope, names in by_scope.items()}
        for key, by_scope in found.items()
    }
