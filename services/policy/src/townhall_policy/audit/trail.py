"""Appending to the audit trail and verifying it.

Every change to the policy appends one event in the same transaction as the change:
a refused or failed change rolls back both. Events are chained: each carries the
previous event's hash and its own SHA-256 over its canonical JSON; the revision row
keeps the head, so a removed last event is caught too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from townhall_policy.audit import repository
from townhall_policy.audit.chain import GENESIS_HASH, canonical_json, event_hash
from townhall_policy.audit.models import AuditEvent
from townhall_policy.revision.service import record_change
from townhall_policy.timestamps import utcnow


def record_event(
    session: Session,
    *,
    actor: str,
    event_type: str,
    target: str,
    payload: dict[str, Any],
    domain: str | None = None,
    justification: str | None = None,
    changes_policy: bool = True,
) -> AuditEvent:
    """Append one event; when it `changes_policy`, the revision is bumped first."""
    if changes_policy:
        record_change(session)
    seq, previous_hash, revision = repository.claim_next_seq(session)
    event = AuditEvent(
        seq=seq,
        id=str(uuid.uuid4()),
        occurred_at=utcnow(),
        actor=actor,
        event_type=event_type,
        target=target,
        domain=domain,
        justification=justification,
        payload=canonical_json(payload),
        policy_revision=revision,
        prev_hash=previous_hash,
        hash="",
    )
    event.hash = event_hash(event)
    repository.add_event(session, event)
    repository.set_head_hash(session, event.hash)
    return event


@dataclass(frozen=True)
class BrokenLink:
    """The first place where the chain does not hold, and why."""

    seq: int
    event_id: str | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    events_checked: int
    head_seq: int
    head_hash: str
    first_broken: BrokenLink | None


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole trail in order; report the first edited, missing or moved event."""
    head_seq, head_hash = repository.read_head(session)
    expected_seq = 1
    previous_hash = GENESIS_HASH
    checked = 0

    def broken(seq: int, event_id: str | None, problem: str) -> ChainReport:
        return ChainReport(
            valid=False,
            events_checked=checked,
            head_seq=head_seq,
            head_hash=head_hash,
            first_broken=BrokenLink(seq=seq, event_id=event_id, problem=problem),
        )

    for event in repository.iter_events(session):
        if event.seq != expected_seq:
            return broken(
                expected_seq,
                None,
                f"event {expected_seq} is missing: the next stored event is {event.seq}",
            )
        if event.prev_hash != previous_hash:
            return broken(
                event.seq,
                event.id,
                f"event {event.seq} does not follow event {event.seq - 1}: its previous hash "
                f"{event.prev_hash[:12]}… differs from {previous_hash[:12]}… (removed or "
                "reordered events)",
            )
        recomputed = event_hash(event)
        if recomputed != event.hash:
            return broken(
                event.seq,
                event.id,
                f"event {event.seq} was altered: its content hashes to {recomputed[:12]}…, "
                f"not to the recorded {event.hash[:12]}…",
            )
        previous_hash = event.hash
        expected_seq += 1
        checked += 1
    if checked != head_seq or previous_hash != head_hash:
        return broken(
            checked + 1,
            None,
            f"the trail ends at event {checked} but its recorded head is event {head_seq}: "
            "events were removed from the end",
        )
    return ChainReport(
        valid=True,
        events_checked=checked,
        head_seq=head_seq,
        head_hash=head_hash,
        first_broken=None,
    )
