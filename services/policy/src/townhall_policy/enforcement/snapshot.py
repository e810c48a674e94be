"""An immutable snapshot of the policy at one revision, with its casbin enforcer.

A snapshot is built off to the side from rows read in one consistent pass, then
published by swapping one reference: checks running on the previous snapshot
finish on it undisturbed.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import casbin  # type: ignore[import-untyped]
from casbin.persist.adapter import Adapter  # type: ignore[import-untyped]

from townhall_contracts.policy import ORG_DOMAIN, GrantRef
from townhall_policy.enforcement.casbin_model import new_model

ORG_SCOPE = "org"
SPACE_SCOPE = "space"

# pycasbin parses its matcher with `ast.parse` on every check, and concurrent
# `ast.parse` calls can fail on CPython 3.11 ("AST constructor recursion depth
# mismatch"); casbin's role manager also creates nodes lazily during checks. Checks are
# pure Python under the GIL, so one lock for all enforcers costs no throughput.
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
    role: str
    scope: str
    domain_class: str
    action: str

    @property
    def rule(self) -> list[str]:
        """The casbin `p` rule: role, class, action, scope."""
        return [self.role, self.domain_class, self.action, self.scope]


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
        return GrantRef(
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


class _RulesAdapter(Adapter):  # type: ignore[misc]
    """Hands casbin the rules derived from the tables; it never writes anything back."""

    def __init__(
        self,
        policies: list[list[str]],
        role_links: list[list[str]],
        class_links: list[list[str]],
    ) -> None:
        self._rules = {"p": policies, "g": role_links, "g2": class_links}

    def load_policy(self, model: casbin.Model) -> None:
        for ptype, rules in self._rules.items():
            section = ptype[0]
            model.model[section][ptype].policy.extend(list(rule) for rule in rules)


@dataclass(frozen=True)
class PolicySnapshot:
    """The policy at one revision: indexes for explanations and principals, and casbin."""

    revision: int
    loaded_at: datetime
    next_boundary: datetime | None
    subjects: Mapping[str, SubjectEntry]
    domains: Mapping[str, DomainEntry]
    groups_of: Mapping[str, tuple[str, ...]]
    grants_of: Mapping[str, tuple[GrantEntry, ...]]
    role_candidates: Mapping[tuple[str, str], Mapping[str, tuple[str, ...]]]
    enforcer: casbin.Enforcer = field(repr=False)

    @classmethod
    def build(cls, data: PolicyData) -> PolicySnapshot:
        """Derive casbin's rules and the indexes from the rows, into a fresh enforcer."""
        now = data.loaded_at
        subjects = {s.id: s for s in data.subjects}
        active = {s.id for s in data.subjects if s.active}

        groups_of: dict[str, list[str]] = defaultdict(list)
        for group_id, member_id in data.memberships:
            if group_id in active and member_id in active:
                groups_of[member_id].append(group_id)

        grants_of: dict[str, list[GrantEntry]] = defaultdict(list)
        boundaries: list[datetime] = []
        for grant in data.grants:
            if grant.subject_id not in active:
                continue
            if grant.valid_from > now:
                boundaries.append(grant.valid_from)
                continue
            if grant.valid_to is not None:
                boundaries.append(grant.valid_to)
            grants_of[grant.subject_id].append(grant)
        for held in grants_of.values():
            held.sort(key=lambda g: (g.granted_at, g.id))

        role_links: list[list[str]] = []
        group_domains: dict[str, set[str]] = defaultdict(set)
        for subject_id, held in grants_of.items():
            name = subjects[subject_id].casbin_name
            for grant in held:
                role_links.append([name, grant.role, grant.domain])
                if subjects[subject_id].kind == "group":
                    group_domains[subject_id].add(grant.domain)
        for member_id, group_ids in groups_of.items():
            for group_id in group_ids:
                for domain in sorted(group_domains.get(group_id, ())):
                    role_links.append(
                        [subjects[member_id].casbin_name, casbin_subject("group", group_id), domain]
                    )

        domains = {d.id: d for d in data.domains}
        class_links = [[d.id, d.domain_class] for d in data.domains if d.id != ORG_DOMAIN]
        policies = [p.rule for p in data.permissions]
        enforcer = casbin.Enforcer(new_model(), _RulesAdapter(policies, role_links, class_links))
        enforcer.enable_auto_save(False)
        _warm(enforcer, domains)

        return cls(
            revision=data.revision,
            loaded_at=now,
            next_boundary=min(boundaries) if boundaries else None,
            subjects=subjects,
            domains=domains,
            groups_of={k: tuple(sorted(v)) for k, v in groups_of.items()},
            grants_of={k: tuple(v) for k, v in grants_of.items()},
            role_candidates=_role_candidates(data.roles, data.permissions),
            enforcer=enforcer,
        )

    def enforce(self, subject: SubjectEntry, domain: str, action: str) -> PermissionEntry | None:
        """Ask casbin; the `p` rule that matched, or None when nothing allows it."""
        with _CASBIN_LOCK:
            allowed, rule = self.enforcer.enforce_ex(subject.casbin_name, domain, action)
        if not allowed or not rule:
            return None
        role, domain_class, act, scope = rule
        return PermissionEntry(role=role, scope=scope, domain_class=domain_class, action=act)

    def held_roles(self, subject_id: str) -> list[HeldRole]:
        """Every role the subject holds now, directly first, then through its groups."""
        held = [HeldRole(g) for g in self.grants_of.get(subject_id, ())]
        for group_id in self.groups_of.get(subject_id, ()):
            held.extend(HeldRole(g, via_group=group_id) for g in self.grants_of.get(group_id, ()))
        return held

    def find_held_role(self, subject_id: str, role: str, domain: str) -> HeldRole | None:
        """The grant through which the subject holds `role` in `domain`, if any."""
        for held in self.held_roles(subject_id):
            if held.grant.role == role and held.grant.domain == domain:
                return held
        return None

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


def _role_candidates(
    roles: Iterable[RoleEntry], permissions: Iterable[PermissionEntry]
) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    rank = {(r.name, r.scope): r.rank for r in roles}
    found: dict[tuple[str, str], dict[str, set[str]]] = {}
    for p in permissions:
        found.setdefault((p.domain_class, p.action), {}).setdefault(p.scope, set()).add(p.role)

    def least_privileged_first(names: set[str], scope: str) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda name: (rank.get((name, scope), 1_000), name)))

    return {
        key: {scope: least_privileged_first(names, scope) for scope, names in by_scope.items()}
        for key, by_scope in found.items()
    }


def _warm(enforcer: casbin.Enforcer, domains: Iterable[str]) -> None:
    # casbin builds each domain's role graph on the first check there; doing it now,
    # before the snapshot is published, keeps that cost and that mutation off requests.
    role_manager = enforcer.get_role_manager()
    for domain in domains:
        role_manager.has_link("", "", domain)
