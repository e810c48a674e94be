"""Compliance questions answered from history: who could, what could, and grant timelines.

Answers at a past instant rest on the grant history (validity and revocation), the
directory's history (membership and deactivation periods) and suspension history, not
on today's state. A domain's class (kind and visibility) is the one it had at that
instant, recovered from the audit trail's `domain.updated` events (`domains/history.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from townhall_contracts.policy import ORG_DOMAIN
from townhall_policy.directory.errors import SubjectNotFound
from townhall_policy.domains import repository as domains
from townhall_policy.domains.errors import UnknownDomain
from townhall_policy.domains.history import classes_at
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.directory.models import DirectoryPeriod, Subject
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions import repository as suspensions
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.roles.models import RolePermission


@dataclass(frozen=True)
class Holding:
    """One way a subject held a permission: a grant, directly or through a group."""

    subject: str
    role: str
    grant: Grant
    via_group: str | None


@dataclass(frozen=True)
class WhoCanAnswer:
    action: str
    domain: str
    domain_class: str
    at: datetime
    holdings: list[Holding]
    suspended: dict[str, Suspension]


@dataclass
class WhatCanEntry:
    role: str
    domain: str
    grant: Grant
    via_group: str | None
    permissions: dict[str, list[str]] = field(default_factory=dict)  # class -> actions


@dataclass(frozen=True)
class WhatCanAnswer:
    subject: str
    at: datetime
    active: bool
    entries: list[WhatCanEntry]
    suspensions: list[Suspension]


def _grants_in_force(at: datetime) -> ColumnElement[bool]:
    return and_(
        col(Grant.valid_from) <= at,
        or_(col(Grant.valid_to).is_(None), col(Grant.valid_to) > at),
        or_(col(Grant.revoked_at).is_(None), col(Grant.revoked_at) > at),
    )


def _memberships_of_groups(
    session: Session, group_ids: Sequence[str], at: datetime
) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    if not group_ids:
        return members
    statement = select(DirectoryPeriod.group_id, DirectoryPeriod.subject_id).where(
        DirectoryPeriod.kind == "membership",
        col(DirectoryPeriod.group_id).in_(list(group_ids)),
        col(DirectoryPeriod.valid_from) <= at,
        or_(col(DirectoryPeriod.valid_to).is_(None), col(DirectoryPeriod.valid_to) > at),
    )
    for group_id, member_id in session.exec(statement).all():
        members[str(group_id)].append(str(member_id))
    return members


def who_can(session: Session, *, action: str, domain: str, at: datetime) -> WhoCanAnswer:
    """Every subject that could do `action` in `domain` at `at`, and through which grant."""
    entry = domains.get_domain(session, domain)
    if entry is None:
        raise UnknownDomain(f"Domain {domain!r} is not registered with policy.")
    class_then = classes_at(session, at=at, domain_ids=[domain])[domain]
    rules = session.exec(
        select(RolePermission.role, RolePermission.scope, RolePermission.effect).where(
            RolePermission.domain_class == class_then, RolePermission.action == action
        )
    ).all()
    holdings = _holdings(session, [(r, s) for r, s, e in rules if e == "allow"], domain, at)
    # A role's deny overrides every allow: whoever holds it could not, whatever else held.
    denied = {
        h.subject
        for h in _holdings(session, [(r, s) for r, s, e in rules if e == "deny"], domain, at)
    }
    holdings = [h for h in holdings if h.subject not in denied]
    suspended: dict[str, Suspension] = {}
    for suspension in suspensions.list_in_force_at(session, at=at):
        if (suspension.domain in (ORG_DOMAIN, domain)) and suspension.action in (None, action):
            suspended.setdefault(suspension.subject_id, suspension)
    holdings.sort(key=lambda h: (h.subject, h.via_group or "", h.role))
    return WhoCanAnswer(
        action=action,
        domain=domain,
        domain_class=class_then,
        at=at,
        holdings=[h for h in holdings if h.subject not in suspended],
        suspended=suspended,
    )


def _holdings(
    session: Session, roles: Sequence[tuple[str, str]], domain: str, at: datetime
) -> list[Holding]:
    """Who held one of `roles` ((role, scope) pairs) for `domain` at `at`, and how."""
    org_roles = [r for r, s in roles if s == "org"]
    space_roles = [r for r, s in roles if s == "space" and domain != ORG_DOMAIN]
    conditions: list[ColumnElement[bool]] = []
    if org_roles:
        conditions.append(and_(col(Grant.domain) == ORG_DOMAIN, col(Grant.role).in_(org_roles)))
    if space_roles:
        conditions.append(and_(col(Grant.domain) == domain, col(Grant.role).in_(space_roles)))
    if not conditions:
        return []
    grants = session.exec(
        select(Grant).where(_grants_in_force(at), or_(*conditions)).order_by(col(Grant.id))
    ).all()
    subject_kinds = _kinds(session, {g.subject_id for g in grants})
    inactive = directory.inactive_at(session, at=at)
    group_ids = sorted({g.subject_id for g in grants if subject_kinds.get(g.subject_id) == "group"})
    members = _memberships_of_groups(session, group_ids, at)
    holdings: list[Holding] = []
    for grant in grants:
        if grant.subject_id in inactive:
            continue
        if subject_kinds.get(grant.subject_id) == "group":
            for member in members.get(grant.subject_id, ()):
                if member not in inactive:
                    holdings.append(Holding(member, grant.role, grant, grant.subject_id))
        else:
            holdings.append(Holding(grant.subject_id, grant.role, grant, None))
    return holdings


def _kinds(session: Session, subject_ids: set[str]) -> dict[str, str]:
    if not subject_ids:
        return {}
    rows = session.exec(
        select(Subject.id, Subject.kind).where(col(Subject.id).in_(sorted(subject_ids)))
    ).all()
    return {str(i): str(k) for i, k in rows}


def what_can(session: Session, *, subject_id: str, at: datetime) -> WhatCanAnswer:
    """Every role `subject` held at `at`, through which grant, and what each allowed."""
    subject = directory.get_subject(session, subject_id)
    if subject is None:
        raise SubjectNotFound(f"No subject {subject_id!r} in the directory.")
    inactive = directory.inactive_at(session, at=at)
    groups = sorted(
        group
        for group, member in directory.memberships_at(session, at=at)
        if member == subject_id and group not in inactive
    )
    holders = [subject_id, *groups]
    grants = session.exec(
        select(Grant)
        .where(_grants_in_force(at), col(Grant.subject_id).in_(holders))
        .order_by(col(Grant.granted_at), col(Grant.id))
    ).all()
    permissions = session.exec(select(RolePermission)).all()
    by_role: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    denials: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for p in permissions:
        if p.effect == "deny":
            denials[(p.role, p.scope)].add((p.domain_class, p.action))
        else:
            by_role[(p.role, p.scope)][p.domain_class].append(p.action)
    classes = classes_at(session, at=at)
    # What a held role denies is allowed by none of the subject's roles (deny overrides).
    denied: set[tuple[str, str]] = set()
    for grant in grants:
        denied |= denials.get((grant.role, "org" if grant.domain == ORG_DOMAIN else "space"), set())
    entries: list[WhatCanEntry] = []
    for grant in grants:
        scope = "org" if grant.domain == ORG_DOMAIN else "space"
        allowed = by_role.get((grant.role, scope), {})
        if scope == "space":
            cls = classes.get(grant.domain, "")
            allowed = {cls: allowed.get(cls, [])}
        kept = {
            cls: [a for a in actions if (cls, a) not in denied] for cls, actions in allowed.items()
        }
        entries.append(
            WhatCanEntry(
                role=grant.role,
                domain=grant.domain,
                grant=grant,
                via_group=None if grant.subject_id == subject_id else grant.subject_id,
                permissions={k: sorted(v) for k, v in sorted(kept.items())},
            )
        )
    held_suspensions = [
        s for s in suspensions.list_in_force_at(session, at=at) if s.subject_id == subject_id
    ]
    return WhatCanAnswer(
        subject=subject_id,
        at=at,
        active=subject_id not in inactive,
        entries=entries if subject_id not in inactive else [],
        suspensions=held_suspensions,
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    event: str  # granted | starts | revoked | expires
    grant: Grant


def grant_history(
    session: Session, *, subject_id: str | None, domain: str | None, limit: int
) -> list[HistoryEntry]:
    """The timeline of grants to a subject or in a domain: granted, started, revoked, expired."""
    statement = select(Grant)
    if subject_id is not None:
        statement = statement.where(Grant.subject_id == subject_id)
    if domain is not None:
        statement = statement.where(Grant.domain == domain)
    grants = session.exec(statement.order_by(col(Grant.granted_at)).limit(limit)).all()
    timeline: list[HistoryEntry] = []
    for grant in grants:
        timeline.append(HistoryEntry(grant.granted_at, "granted", grant))
        if grant.valid_from > grant.granted_at and (
            grant.revoked_at is None or grant.revoked_at > grant.valid_from
        ):
            timeline.append(HistoryEntry(grant.valid_from, "starts", grant))
        if grant.revoked_at is not None:
            timeline.append(HistoryEntry(grant.revoked_at, "revoked", grant))
        if grant.valid_to is not None and (
            grant.revoked_at is None or grant.revoked_at > grant.valid_to
        ):
            timeline.append(HistoryEntry(grant.valid_to, "expires", grant))
    timeline.sort(key=lambda e: (e.at, e.grant.id, e.event))
    return timeline
