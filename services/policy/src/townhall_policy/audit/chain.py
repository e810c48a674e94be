"""The hash chain: an event hashes its canonical JSON, the previous hash included."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from townhall_policy.audit.models import AuditEvent
from townhall_policy.timestamps import as_utc

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and no escaping of non-ASCII: one text per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    """Every field of an event except its own hash."""
    return {
        "seq": event.seq,
        "id": event.id,
        "occurred_at": as_utc(event.occurred_at).isoformat(),
        "actor": event.actor,
        "event_type": event.event_type,
        "target": event.target,
        "domain": event.domain,
        "justification": event.justification,
        "payload": event.payload,
        "policy_revision": event.policy_revision,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    """SHA-256 (hex) of the event's canonical JSON."""
    return hashlib.sha256(canonical_json(hashed_fields(event)).encode("utf-8")).hexdigest()
