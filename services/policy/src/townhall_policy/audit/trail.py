"""Appending to the audit trail, and keying a trail that was chained without a key.

Every change to the policy appends one event in the same transaction as the change:
a refused or failed change rolls back both. Each event carries the previous event's
hash and its own HMAC under the audit key (see `chain`); the revision row keeps the
head, so a removed last event is caught too.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from townhall_platform.db import session_scope
from townhall_policy.audit import repository
from townhall_policy.audit.chain import GENESIS_HASH, canonical_json, keyed_hash, legacy_hash
from townhall_policy.audit.keys import AuditKeyring, install_keyring, keyring_for
from townhall_policy.audit.models import AuditEvent
from townhall_policy.revision.service import record_change
from townhall_policy.timestamps import utcnow

CHAIN_KEYED = "audit.chain_keyed"

log = structlog.get_logger("townhall.policy.audit")


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
    key = keyring_for(session).current
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
        key_id=key.id,
    )
    event.hash = keyed_hash(event, key)
    repository.add_event(session, event)
    repository.set_head_hash(session, event.hash)
    return event


def legacy_chain_problem(session: Session) -> str | None:
    """Why the unkeyed part of the trail does not hold, or None when it does."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    for event in repository.iter_stored_events(session):
        if event.key_id is not None:
            break
        if event.seq != expected_seq:
            return f"event {expected_seq} is missing"
        if event.prev_hash != previous_hash or legacy_hash(event) != event.hash:
            return f"event {event.seq} was altered, removed or reordered"
        previous_hash = event.hash
        expected_seq += 1
    return None


def ensure_keyed(session: Session, keyring: AuditKeyring) -> AuditEvent | None:
    """Bring a trail chained without a key under `keyring`, once; None when it already is.

    The `audit.chain_keyed` event's MAC covers the last unkeyed event's hash, so the old
    trail can no longer be rewritten without the key. Whether that old chain held when
    it was keyed is recorded in the event, for ever.
    """
    install_keyring(session, keyring)
    repository.lock_head(session)  # instances starting together key the trail once
    head = repository.last_event(session)
    if head is None or head.key_id is not None:
        return None
    problem = legacy_chain_problem(session)
    return record_event(
        session,
        actor="system",
        event_type=CHAIN_KEYED,
        target="audit:chain",
        payload={
            "key_id": keyring.current.id,
            "legacy_head_seq": head.seq,
            "legacy_head_hash": head.hash,
            "legacy_chain_valid": problem is None,
            "legacy_problem": problem,
        },
        justification="The audit chain is keyed: events from here on carry an HMAC.",
        changes_policy=False,
    )


def key_trail(database: Engine, keyring: AuditKeyring) -> AuditEvent | None:
    """`ensure_keyed` in its own transaction, at start; a database not migrated yet waits.

    An unmigrated database is left alone (readiness reports it); the next start keys it.
    """
    try:
        with session_scope(database) as session:
            event = ensure_keyed(session, keyring)
    except SQLAlchemyError as exc:
        log.warning("audit_chain_not_keyed", error=str(exc).splitlines()[0])
        return None
    if event is not None:
        log.info("audit_chain_keyed", seq=event.seq, key_id=keyring.current.id)
    return event
