"""Reading the policy tables into `PolicyData`, consistently at one revision."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_policy.audit import repository as audit
from townhall_policy.domains import repository as domains
from townhall_policy.enforcement.entries import (
    DomainEntry,
    GrantEntry,
    PermissionEntry,
    PolicyData,
    RoleEntry,
    SubjectChanges,
    SubjectEntry,
    SuspensionEntry,
)
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.grants import repository as grants
from townhall_policy.holdings.suspensions import repository as suspensions
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.revision import repository as revision
from townhall_policy.roles import repository as roles

MAX_ATTEMPTS = 5
# Past these, applying changes one subject at a time is no cheaper than a full reload.
MAX_CHANGE_EVENTS = 2_000
MAX_CHANGED_SUBJECTS = 2_000
# Subject ids per `IN (...)` list, well under every backend's parameter limit.
CHUNK = 500
# Events that change nothing decisions rest on (access reviews record, they do not revoke;
# `audit.*` events concern the trail itself).
NON_POLICY_EVENTS = frozenset({"review", "audit"})


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
            before, audit_seq = revision.current_revision_and_audit_seq(session)
            data = PolicyData(
                revision=before,
                audit_seq=audit_seq,
                loaded_at=now,
                subjects=tuple(
                    SubjectEntry(id=i, kind=k, active=bool(a))
                    for i, k, a in directory.subject_rows(session)
                ),
                memberships=tuple(directory.membership_rows(session)),
                domains=_domain_entries(session),
                roles=tuple(
                    RoleEntry(name=r.name, scope=r.scope, rank=r.rank)
                    for r in roles.list_roles(session)
                ),
                permissions=tuple(
                    PermissionEntry(
                        role=p.role,
                        scope=p.scope,
                        domain_class=p.domain_class,
                        action=p.action,
                        effect=p.effect,
                    )
                    for p in roles.list_permissions(session)
                ),
                grants=tuple(
                    GrantEntry(*row) for row in grants.current_and_future_rows(session, now=now)
                ),
                suspensions=tuple(
                    _suspension_entry(s)
                    for s in suspensions.list_current_and_future(session, now=now)
                ),
            )
            session.rollback()
            if revision.current_revision(session) == before:
                return data
    raise InconsistentRead(f"the policy changed during each of {MAX_ATTEMPTS} reads")


def load_changes(
    engine: Engine, snapshot: PolicySnapshot, *, now: datetime
) -> SubjectChanges | None:
    """The rows that changed since `snapshot`, or None when only a full reload will do.

    Every policy change appends an audit event, carrying its revision, in the same
    transaction as the change; the events after the snapshot's audit head name what
    changed. Returns None when the events do not account for every revision since (a
    gap), name something this does not know how to apply, or touch too many subjects.
    """
    for _ in range(MAX_ATTEMPTS):
        with Session(engine) as session:
            before, audit_seq = revision.current_revision_and_audit_seq(session)
            # Up to the head read with the revision: later events belong to a later read.
            events = audit.events_after(
                session, snapshot.audit_seq, up_to=audit_seq, limit=MAX_CHANGE_EVENTS + 1
            )
            if len(events) > MAX_CHANGE_EVENTS:
                return None
            touched = changed_subjects(events, snapshot, before)
            if touched is None:
                return None
            subject_ids, domains_changed = touched
            # Subjects whose grants or suspensions started or ended since are derived again.
            subject_ids |= {s for s, at in snapshot.sources.boundary_of.items() if at <= now}
            if len(subject_ids) > MAX_CHANGED_SUBJECTS:
                return None
            changes = _read_subjects(session, sorted(subject_ids), now=now)
            data = SubjectChanges(
                revision=before,
                audit_seq=audit_seq,
                domains=_domain_entries(session) if domains_changed else None,
                **changes,
            )
            session.rollback()
            if revision.current_revision(session) == before:
                return data
    raise InconsistentRead(f"the policy changed during each of {MAX_ATTEMPTS} reads")


def changed_subjects(
    events: Sequence[tuple[int, str, str, str]], snapshot: PolicySnapshot, stored_revision: int
) -> tuple[set[str], bool] | None:
    """(subjects the events touch, whether a domain changed); None if they cannot be applied.

    `events` are (policy revision, type, target, payload JSON) in trail order.
    """
    subject_ids: set[str] = set()
    domains_changed = False
    revisions: set[int] = set()
    for event_revision, event_type, target, payload in events:
        family = event_type.split(".", 1)[0]
        if family in NON_POLICY_EVENTS:
            continue
        revisions.add(event_revision)
        if family in ("grant", "suspension", "membership"):
            body = json.loads(payload)
            subject_ids.add(str(body["member" if family == "membership" else "subject"]))
        elif family == "subject":
            subject_ids.add(target.removeprefix("subject:"))
        elif family == "domain":
            domains_changed = True
        else:
            return None
    if revisions != set(range(snapshot.revision + 1, stored_revision + 1)):
        return None
    return subject_ids, domains_changed


def _read_subjects(
    session: Session, subject_ids: Sequence[str], *, now: datetime
) -> dict[str, Any]:
    entries: dict[str, SubjectEntry | None] = dict.fromkeys(subject_ids)
    grant_rows: dict[str, list[GrantEntry]] = defaultdict(list)
    suspension_rows: dict[str, list[SuspensionEntry]] = defaultdict(list)
    group_ids: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(subject_ids), CHUNK):
        chunk = subject_ids[start : start + CHUNK]
        for i, k, a in directory.subject_rows(session, ids=chunk):
            entries[i] = SubjectEntry(id=i, kind=k, active=a)
        for group_id, member_id in directory.membership_rows(session, member_ids=chunk):
            group_ids[member_id].add(group_id)
        for row in grants.current_and_future_rows(session, now=now, subject_ids=chunk):
            grant = GrantEntry(*row)
            grant_rows[grant.subject_id].append(grant)
        for s in suspensions.list_current_and_future(session, now=now, subject_ids=chunk):
            suspension_rows[s.subject_id].append(_suspension_entry(s))
    return {
        "subjects": entries,
        "grant_rows_of": {k: tuple(v) for k, v in grant_rows.items()},
        "suspension_rows_of": {k: tuple(v) for k, v in suspension_rows.items()},
        "group_ids_of": {k: frozenset(v) for k, v in group_ids.items()},
    }


def _domain_entries(session: Session) -> tuple[DomainEntry, ...]:
    return tuple(
        DomainEntry(id=d.id, domain_class=d.domain_class) for d in domains.list_domains(session)
    )


def _suspension_entry(s: Suspension) -> SuspensionEntry:
    return SuspensionEntry(
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
