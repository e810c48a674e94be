"""An immutable snapshot of the policy at one revision, with the fast path that decides on it.

A snapshot is built off to the side from rows read in one consistent pass, then
published by swapping one reference: checks running on the previous snapshot finish
on it undisturbed.

Decisions run on plain dictionaries derived from the grant tables (the fast path):
a subject's org roles, its roles per space domain, the roles each (domain class,
action) needs, and the subject's suspensions. casbin's rules are derived from the
same rows (`casbin_rules()`); an enforcer over them is the reference model, built only
when asked for (`casbin_allows`), and the differential tests hold the two to the
same answers.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

import casbin  # type: ignore[import-untyped]
from casbin.persist.adapter import Adapter  # type: ignore[import-untyped]

from townhall_contracts.policy import ORG_DOMAIN, GrantRef
from townhall_policy.enforcement.casbin_model import new_model

ORG_SCOPE = "org"
SPACE_SCOPE = "space"
DENY = "deny"
ALLOW = "allow"
EVERY_ACTION = "*"
FULL_RELOAD = "full reload"
APPLIED_CHANGES = "applied changes"

# pycasbin parses its matcher with `ast.parse` on every check, and concurrent
# `ast.parse` calls can fail on CPython 3.11; casbin's role manager also creates nodes
# lazily during checks. One lock for every enforcer keeps them consistent.
_CASBIN_LOCK = threading.Lock()


def casbin_subject(kind: str, subject_id: str) -> str:
    """The name of a subject in casbin: `user:alice`, `group:engineering`.

    The prefix keeps subjects apart from role names in casbin's role graph.
    """
    return f"{kind}:{subject_id}"


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    id: str
    kind: str
    active: bool

    @property
    def casbin_name(self) -> str:
        return casbin_subject(self.kind, self.id)


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
        """The casbin `p` rule: role, class, action, scope, effect."""
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

    def rule(self, casbin_name: str) -> list[str]:
        return [casbin_name, self.domain, self.action or EVERY_ACTION, DENY, DENY]


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
        path = [subject.casbin_name]
        if self.via_group is not None:
            path.append(casbin_subject("group", self.via_group))
        path.append(f"{self.grant.role}@{self.grant.domain}")
        return path


@dataclass(frozen=True, slots=True)
class Match:
    """What the fast path found: the permission that allows, and the grant behind it."""

    permission: PermissionEntry
    held: HeldRole


@dataclass(frozen=True)
class CasbinRules:
    """casbin's view of the policy: `p` rules (allow and deny), `g` and `g2` links."""

    policies: list[list[str]]
    role_links: list[list[str]]
    class_links: list[list[str]]

    def policy_lines(self) -> list[str]:
        """The rules in casbin's CSV policy format, for a plain file-backed enforcer."""
        lines = [", ".join(["p", *rule]) for rule in self.policies]
        lines += [", ".join(["g", *link]) for link in self.role_links]
        lines += [", ".join(["g2", *link]) for link in self.class_links]
        return lines


class _RulesAdapter(Adapter):  # type: ignore[misc]
    """Hands casbin the rules derived from the tables; it never writes anything back."""

    def __init__(self, rules: CasbinRules) -> None:
        self._rules = {"p": rules.policies, "g": rules.role_links, "g2": rules.class_links}

    def load_policy(self, model: casbin.Model) -> None:
        for ptype, rules in self._rules.items():
            section = ptype[0]
            model.model[section][ptype].policy.extend(list(rule) for rule in rules)


def new_enforcer(rules: CasbinRules) -> casbin.Enforcer:
    """A fresh casbin enforcer over `rules` (never saved back anywhere)."""
    enforcer = casbin.Enforcer(new_model(), _RulesAdapter(rules))
    enforcer.enable_auto_save(False)
    return enforcer


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


@dataclass(frozen=True)
class _Indexes:
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
        _put(self.grants_of, subject_id, tuple(current))
        _put(self.suspensions_of, subject_id, tuple(suspended))
        _put(self.boundary_of, subject_id, min(boundaries) if boundaries else None)

    def derive_roles(self, subject_id: str, sources: Sources) -> None:
        """A subject's active groups and the roles it holds: direct first, then by group."""
        groups: tuple[str, ...] = ()
        if self.is_active(subject_id):
            groups = tuple(
                sorted(g for g in sources.group_ids_of.get(subject_id, ()) if self.is_active(g))
            )
        _put(self.groups_of, subject_id, groups)
        org: dict[str, HeldRole] = {}
        by_space: dict[str, dict[str, HeldRole]] = {}
        for via, held_by in ((None, subject_id), *((g, g) for g in groups)):
            for grant in self.grants_of.get(held_by, ()):
                held = HeldRole(grant, via_group=via)
                if grant.domain == ORG_DOMAIN:
                    org.setdefault(grant.role, held)
                else:
                    by_space.setdefault(grant.domain, {}).setdefault(grant.role, held)
        _put(self.org_roles, subject_id, org)
        for domain, roles in by_space.items():
            self.space_roles[(subject_id, domain)] = roles

    def forget_space_roles(self, subject_id: str) -> None:
        """Drop the subject's space roles (before deriving them again)."""
        sources = (subject_id, *self.groups_of.get(subject_id, ()))
        for held_by in sources:
            for grant in self.grants_of.get(held_by, ()):
                if grant.domain != ORG_DOMAIN:
                    self.space_roles.pop((subject_id, grant.domain), None)


def _put(mapping: dict[str, Any], key: str, value: Any) -> None:
    """Set `key`, or remove it when `value` is empty (a full build holds no empty entries)."""
    if value:
        mapping[key] = value
    else:
        mapping.pop(key, None)


def _group_rows(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for key, value in pairs:
        found[key].add(value)
    return {k: frozenset(v) for k, v in found.items()}


def _by_subject(rows: Iterable[Any]) -> dict[str, tuple[Any, ...]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.subject_id].append(row)
    return {k: tuple(v) for k, v in found.items()}


@dataclass(frozen=True)
class PolicySnapshot:
    """The policy at one revision: the fast path's indexes; casbin's rules on demand."""

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
    _casbin: list[casbin.Enforcer] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, data: PolicyData) -> PolicySnapshot:
        """Derive the fast path's indexes from every row."""
        sources = Sources(
            grant_rows_of=_by_subject(data.grants),
            suspension_rows_of=_by_subject(data.suspensions),
            group_ids_of=_group_rows((m, g) for g, m in data.memberships),
            member_ids_of=_group_rows(data.memberships),
            boundary_of={},
            roles=data.roles,
            permissions=data.permissions,
        )
        indexes = _Indexes({s.id: s for s in data.subjects}, {}, {}, {}, {}, {}, {})
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
            role_candidates=_role_candidates(data.roles, data.permissions),
            role_denials=_role_candidates(data.roles, data.permissions, effect=DENY),
        )

    def apply(self, changes: SubjectChanges, *, now: datetime) -> PolicySnapshot:
        """A new snapshot: this one with the touched subjects' rows replaced (copy on write).

        Only the touched subjects and the members of touched groups are derived again,
        by the same steps as a full build; everything else is shared with this snapshot.
        The caller includes every subject whose validity boundary passed by `now`.
        """
        touched = set(changes.subjects)
        grant_rows_of = dict(self.sources.grant_rows_of)
        suspension_rows_of = dict(self.sources.suspension_rows_of)
        group_ids_of = dict(self.sources.group_ids_of)
        member_ids_of = dict(self.sources.member_ids_of)
        indexes = _Indexes(
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
            _put(indexes.subjects, subject_id, entry)
            _put(grant_rows_of, subject_id, changes.grant_rows_of.get(subject_id, ()))
            _put(suspension_rows_of, subject_id, changes.suspension_rows_of.get(subject_id, ()))
            before = self.sources.group_ids_of.get(subject_id, frozenset())
            after = changes.group_ids_of.get(subject_id, frozenset())
            _put(group_ids_of, subject_id, after)
            for group_id in before - after:
                _put(
                    member_ids_of, group_id, member_ids_of.get(group_id, frozenset()) - {subject_id}
                )
            for group_id in after - before:
                member_ids_of[group_id] = member_ids_of.get(group_id, frozenset()) | {subject_id}
        sources = replace(
            self.sources,
            grant_rows_of=grant_rows_of,
            suspension_rows_of=suspension_rows_of,
            group_ids_of=group_ids_of,
            member_ids_of=member_ids_of,
        )
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
        indexes: _Indexes,
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

    @cached_property
    def rules(self) -> CasbinRules:
        """casbin's rules over this snapshot (derived on first use: tests and the bench)."""
        return _casbin_rules(self)

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
        """The fast path's yes or no, as casbin would answer it over `rules`."""
        subject = self.subjects.get(subject_id)
        domain = self.domains.get(domain_id)
        if subject is None or not subject.active or domain is None:
            return False
        if self.suspension_for(subject_id, domain_id, action) is not None:
            return False
        if self.find_deny(subject_id, domain, action) is not None:
            return False
        return self.find_allow(subject_id, domain, action) is not None

    def casbin_allows(self, subject: SubjectEntry, domain: str, action: str) -> bool:
        """The reference model's answer: a casbin enforcer over this snapshot's rules."""
        with _CASBIN_LOCK:
            if not self._casbin:
                self._casbin.append(new_enforcer(self.rules))
            return bool(self._casbin[0].enforce(subject.casbin_name, domain, action))

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

    def stats(self) -> dict[str, Any]:
        return {
            "subjects": len(self.subjects),
            "domains": len(self.domains),
            "role_links": len(self.rules.role_links),
            "rules": len(self.rules.policies),
        }


def _casbin_rules(snapshot: PolicySnapshot) -> CasbinRules:
    subjects = snapshot.subjects
    role_links: list[list[str]] = []
    group_domains: dict[str, set[str]] = defaultdict(set)
    for subject_id, held in snapshot.grants_of.items():
        name = subjects[subject_id].casbin_name
        for grant in held:
            role_links.append([name, grant.role, grant.domain])
            if subjects[subject_id].kind == "group":
                group_domains[subject_id].add(grant.domain)
    for member_id, group_ids in snapshot.groups_of.items():
        for group_id in group_ids:
            for domain in sorted(group_domains.get(group_id, ())):
                role_links.append(
                    [subjects[member_id].casbin_name, casbin_subject("group", group_id), domain]
                )
    policies = [p.rule for p in snapshot.sources.permissions]
    for subject_id, suspensions in snapshot.suspensions_of.items():
        policies.extend(s.rule(subjects[subject_id].casbin_name) for s in suspensions)
    class_links = [[d.id, d.domain_class] for d in snapshot.domains.values() if d.id != ORG_DOMAIN]
    return CasbinRules(policies=policies, role_links=role_links, class_links=class_links)


def _role_candidates(
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
