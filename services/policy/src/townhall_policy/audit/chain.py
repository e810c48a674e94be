"""The chain: each event signs its canonical JSON, the previous event's hash included.

Events appended since the chain was keyed carry `key_id` and an HMAC-SHA256 under that
key: whoever can write the database but does not hold the key cannot recompute one.
Events from before keying (`key_id` NULL) carry a plain SHA-256; they are anchored by
the first keyed event, whose MAC covers the last of them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from townhall_policy.audit.keys import AuditKey
from townhall_policy.audit.models import EventRecord
from townhall_policy.timestamps import as_utc

GENESIS_HASH = "0" * 64
EVENT_LABEL = b"townhall-audit-event/1"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and no escaping of non-ASCII: one text per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hashed_fields(event: EventRecord) -> dict[str, Any]:
    """Every field of an event except its own hash (`key_id` only once the chain is keyed)."""
    fields = {
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
    if event.key_id is not None:
        fields["key_id"] = event.key_id
    return fields


def legacy_hash(event: EventRecord) -> str:
    """SHA-256 (hex) of the event's canonical JSON: how events were chained before keying."""
    return hashlib.sha256(canonical_json(hashed_fields(event)).encode("utf-8")).hexdigest()


def keyed_hash(event: EventRecord, key: AuditKey) -> str:
    """HMAC-SHA256 (hex) of the event's canonical JSON under `key`."""
    return key.mac(EVENT_LABEL, canonical_json(hashed_fields(event)).encode("utf-8"))
