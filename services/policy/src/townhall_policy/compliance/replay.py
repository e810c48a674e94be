"""What the grant, suspension, directory and domain tables must hold, by the trail alone.

Each event type that changes one of those tables has a replayer here; replaying the
trail in order builds the expected rows, which `reconcile` compares with the tables.
Event types that change none of them (reviews, keying) have no replayer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from townhall_contracts.policy import ORG_DOMAIN
from townhall_policy.audit.models import EventRecord
from townhall_policy.timestamps import as_utc


@dataclass
class Expected:
    """One expected row: its columns, and the event that last set them."""

    values: dict[str, Any]
    seq: int
    # Columns the table sets from its own clock just before the event: they must lie
    # within `reconcile.RECORDING_SLACK` before the event's instant.
    instants: dict[str, datetime] = field(default_factory=dict)


@dataclass
class Period:
    """A membership or deactivation period the trail opened (and perhaps closed)."""

    opened: datetime
    opened_seq: int
    closed: datetime | None = None
    closed_seq: int | None = None


@dataclass
class ExpectedState:
    grants: dict[str, Expected] = field(default_factory=dict)
    suspensions: dict[str, Expected] = field(default_factory=dict)
    subjects: dict[str, Expected] = field(default_factory=dict)
    memberships: dict[tuple[str, str], int] = field(default_factory=dict)
    # (kind, subject, group) -> periods in order
    periods: dict[tuple[str, str, str | None], list[Period]] = field(default_factory=dict)
    domains: dict[str, Expected] = field(default_factory=lambda: _baseline_domains())
    # Events whose payload could not be replayed (seq, why): reported as findings.
    unreadable: list[tuple[int, str]] = field(default_factory=list)

    def apply(self, event: EventRecord) -> None:
        replayer = REPLAYERS.get(event.event_type)
        if replayer is None:
            return
        try:
            replayer(self, event, json.loads(event.payload))
        except (ValueError, KeyError, TypeError) as exc:
            self.unreadable.append((event.seq, f"{exc.__class__.__name__}: {exc}"))


def _baseline_domains() -> dict[str, Expected]:
    # The `org` domain is inserted by the first migration, not by an event.
    return {ORG_DOMAIN: Expected(values={"kind": "org", "visibility": None}, seq=0)}


def _instant(value: Any) -> datetime | None:
    return None if value is None else as_utc(datetime.fromisoformat(str(value)))


def _grant_created(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    state.grants[str(p["grant_id"])] = Expected(
        values={
            "subject_id": p["subject"],
            "role": p["role"],
            "domain": p["domain"],
            "valid_from": _instant(p["valid_from"]),
            "valid_to": _instant(p["valid_to"]),
            "granted_by": p["granted_by"],
            "granted_at": _instant(p["granted_at"]),
            "justification": event.justification,
            "revoked_at": None,
            "revoked_by": None,
            "revocation_justification": None,
        },
        seq=event.seq,
    )


def _grant_revoked(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    grant = state.grants.setdefault(str(p["grant_id"]), Expected(values={}, seq=event.seq))
    grant.values.update(
        revoked_at=_instant(p["revoked_at"]),
        revoked_by=event.actor,
        revocation_justification=event.justification,
    )
    grant.seq = event.seq


def _suspension_created(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    state.suspensions[str(p["suspension_id"])] = Expected(
        values={
            "subject_id": p["subject"],
            "domain": p["domain"],
            "action": p["action"],
            "valid_from": _instant(p["valid_from"]),
            "valid_to": _instant(p["valid_to"]),
            "created_by": event.actor,
            "justification": event.justification,
            "lifted_by": None,
            "lift_justification": None,
        },
        seq=event.seq,
        instants={"created_at": as_utc(event.occurred_at)},
    )


def _suspension_lifted(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    suspension = state.suspensions.setdefault(
        str(p["suspension_id"]), Expected(values={}, seq=event.seq)
    )
    suspension.values.update(lifted_by=event.actor, lift_justification=event.justification)
    suspension.instants["lifted_at"] = as_utc(event.occurred_at)
    suspension.seq = event.seq


def _subject_created(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    state.subjects[str(p["subject"])] = Expected(
        values={
            "kind": p["kind"],
            "display_name": p["display_name"],
            "department": p["department"],
            "email": p["email"],
            "group_type": p["group_type"],
            "active": True,
            "user_name": None,
            "external_id": None,
            "deprovisioned_at": None,
        },
        seq=event.seq,
    )


def _subject_updated(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    subject = state.subjects.setdefault(str(p["subject"]), Expected(values={}, seq=event.seq))
    for name, change in dict(p["changes"]).items():
        subject.values[name] = change["to"]
    subject.seq = event.seq


def _subject_activation(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    subject_id = str(p["subject"])
    active = bool(p["active"])
    subject = state.subjects.setdefault(subject_id, Expected(values={}, seq=event.seq))
    subject.values["active"] = active
    subject.seq = event.seq
    _period(state, event, ("inactive", subject_id, None), opens=not active)


def _subject_provisioning(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    """A SCIM client deleted the subject (kept, unlisted) or provisioned it again."""
    subject = state.subjects.setdefault(str(p["subject"]), Expected(values={}, seq=event.seq))
    if event.event_type == "subject.deprovisioned":
        subject.values.pop("deprovisioned_at", None)
        subject.instants["deprovisioned_at"] = as_utc(event.occurred_at)
    else:
        subject.instants.pop("deprovisioned_at", None)
        subject.values["deprovisioned_at"] = None
    subject.seq = event.seq


def _membership_added(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    key = (str(p["group"]), str(p["member"]))
    state.memberships[key] = event.seq
    _period(state, event, ("membership", key[1], key[0]), opens=True)


def _membership_removed(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    key = (str(p["group"]), str(p["member"]))
    state.memberships.pop(key, None)
    _period(state, event, ("membership", key[1], key[0]), opens=False)


def _period(
    state: ExpectedState, event: EventRecord, key: tuple[str, str, str | None], *, opens: bool
) -> None:
    periods = state.periods.setdefault(key, [])
    at = as_utc(event.occurred_at)
    if opens:
        periods.append(Period(opened=at, opened_seq=event.seq))
    else:
        for period in periods:
            if period.closed is None:
                period.closed, period.closed_seq = at, event.seq


def _domain_changed(state: ExpectedState, event: EventRecord, p: dict[str, Any]) -> None:
    domain = event.domain or event.target.removeprefix("domain:")
    state.domains[domain] = Expected(
        values={"kind": p["kind"], "visibility": p["visibility"]}, seq=event.seq
    )


Replayer = Callable[[ExpectedState, EventRecord, dict[str, Any]], None]

REPLAYERS: dict[str, Replayer] = {
    "grant.created": _grant_created,
    "grant.revoked": _grant_revoked,
    "suspension.created": _suspension_created,
    "suspension.lifted": _suspension_lifted,
    "subject.created": _subject_created,
    "subject.updated": _subject_updated,
    "subject.deactivated": _subject_activation,
    "subject.reactivated": _subject_activation,
    "subject.deprovisioned": _subject_provisioning,
    "subject.reprovisioned": _subject_provisioning,
    "membership.added": _membership_added,
    "membership.removed": _membership_removed,
    "domain.registered": _domain_changed,
    "domain.updated": _domain_changed,
}
