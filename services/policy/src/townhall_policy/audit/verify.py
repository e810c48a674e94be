"""Verify the audit trail's chain and its checkpoints.

One pass over the trail checks each link (the previous hash, the event's own HMAC under
the key it names) and compares the hashes at checkpointed events with the checkpoints
kept outside the database. A caller may observe every event of that pass (compliance
replays them into the rows the tables must hold). Every problem is a finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlmodel import Session

from townhall_policy.audit import repository
from townhall_policy.audit.chain import GENESIS_HASH, keyed_hash, legacy_hash
from townhall_policy.audit.checkpoints import Checkpoint, read_checkpoints
from townhall_policy.audit.keys import AuditKeyring
from townhall_policy.audit.models import EventRecord

FindingKind = Literal["chain", "checkpoint", "table"]


@dataclass(frozen=True)
class Finding:
    """One problem: where (an event, a checkpoint, a table row) and what."""

    kind: FindingKind
    problem: str
    seq: int | None = None
    event_id: str | None = None
    table: str | None = None
    row: str | None = None


@dataclass(frozen=True)
class ChainCheck:
    """What one pass over the chain found, every finding included."""

    events_checked: int
    head_seq: int
    head_hash: str
    keyed_from_seq: int | None
    key_ids: list[str]
    checkpoints_checked: int
    latest_checkpoint: Checkpoint | None
    other_trails: list[str]
    findings: list[Finding]


@dataclass
class _Walk:
    """The chain walk's running state."""

    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    keyed_from: int | None = None


@dataclass(frozen=True)
class _Checkpoints:
    """The checkpoints kept outside the database for this trail, and what reading found."""

    by_seq: dict[int, Checkpoint]
    other_trails: list[str]
    findings: list[Finding]


def verify_chain(
    session: Session,
    keyring: AuditKeyring,
    checkpoint_dir: Path,
    *,
    observe: Callable[[EventRecord], None] | None = None,
) -> ChainCheck:
    """Check every link and every checkpoint; `observe` sees each event in order."""
    head_seq, head_hash = repository.read_head(session)
    checkpoints = _read_checkpoints(session, keyring, checkpoint_dir)
    findings = list(checkpoints.findings)
    walk = _Walk()
    for event in repository.iter_stored_events(session):
        findings += _check_link(event, walk, keyring)
        findings += _check_against_checkpoint(event, checkpoints.by_seq.get(event.seq))
        if observe is not None:
            observe(event)
        walk.checked += 1
        walk.last_seq, walk.last_hash = event.seq, event.hash
    findings += _check_end(walk, head_seq, head_hash, checkpoints.by_seq)
    if walk.checked and not checkpoints.by_seq:
        findings.append(
            Finding(
                "checkpoint",
                f"no checkpoint of this trail in {checkpoint_dir}: nothing outside the "
                "database vouches for it (checkpoints deleted, or the directory is not the "
                "service's; `townhall-policy audit-checkpoint` writes one)",
            )
        )
    return ChainCheck(
        events_checked=walk.checked,
        head_seq=head_seq,
        head_hash=head_hash,
        keyed_from_seq=walk.keyed_from,
        key_ids=keyring.key_ids,
        checkpoints_checked=len(checkpoints.by_seq),
        latest_checkpoint=max(checkpoints.by_seq.values(), key=lambda c: c.seq, default=None),
        other_trails=checkpoints.other_trails,
        findings=findings,
    )


def _read_checkpoints(
    session: Session, keyring: AuditKeyring, checkpoint_dir: Path
) -> _Checkpoints:
    trail_id = repository.first_event_id(session)
    if trail_id is not None:
        found = read_checkpoints(checkpoint_dir, trail_id, keyring)
        return _Checkpoints(
            {c.seq: c for c in found.checkpoints},
            found.other_trails,
            [Finding("checkpoint", problem) for problem in found.problems],
        )
    if not checkpoint_dir.is_dir():
        return _Checkpoints({}, [], [])
    other_trails = sorted(p.name for p in checkpoint_dir.iterdir() if p.is_dir())
    findings = []
    if other_trails:
        findings.append(
            Finding(
                "checkpoint",
                f"the trail is empty but {checkpoint_dir} holds checkpoints of "
                f"{len(other_trails)} trail(s): if they are this database's, its whole "
                "trail was deleted",
            )
        )
    return _Checkpoints({}, other_trails, findings)


def _check_against_checkpoint(event: EventRecord, checkpoint: Checkpoint | None) -> list[Finding]:
    if checkpoint is None or checkpoint.hash == event.hash:
        return []
    return [
        Finding(
            "checkpoint",
            f"event {event.seq} differs from the checkpoint of "
            f"{checkpoint.created_at.isoformat()}: its hash is {event.hash[:12]}…, "
            f"the checkpoint says {checkpoint.hash[:12]}… (the trail was rewritten "
            "up to this event)",
            seq=event.seq,
            event_id=event.id,
        )
    ]


def _check_link(event: EventRecord, walk: _Walk, keyring: AuditKeyring) -> list[Finding]:
    found: list[Finding] = []

    def finding(problem: str) -> None:
        found.append(Finding("chain", problem, seq=event.seq, event_id=event.id))

    expected_seq = walk.last_seq + 1
    if event.seq != expected_seq:
        found.append(
            Finding(
                "chain",
                f"event {expected_seq} is missing: the next stored event is {event.seq}",
                seq=expected_seq,
            )
        )
    if event.prev_hash != walk.last_hash:
        finding(
            f"event {event.seq} does not follow event {walk.last_seq}: its previous hash "
            f"{event.prev_hash[:12]}… differs from {walk.last_hash[:12]}… (removed or "
            "reordered events)"
        )
    if event.key_id is None:
        if walk.keyed_from is not None:
            finding(
                f"event {event.seq} carries no key although the trail was keyed at event "
                f"{walk.keyed_from}: it was written or rewritten without the key"
            )
        elif legacy_hash(event) != event.hash:
            finding(
                f"event {event.seq} was altered: its content hashes to "
                f"{legacy_hash(event)[:12]}…, not to the recorded {event.hash[:12]}…"
            )
        return found
    if walk.keyed_from is None:
        walk.keyed_from = event.seq
    key = keyring.find(event.key_id)
    if key is None:
        finding(
            f"event {event.seq} names key {event.key_id}, which this service does not hold: "
            "forged, or signed with a retired key missing from audit_previous_keys"
        )
    elif keyed_hash(event, key) != event.hash:
        finding(
            f"event {event.seq} was altered: its MAC under key {event.key_id} does not match "
            "the recorded hash (rewritten by someone without the key)"
        )
    return found


def _check_end(
    walk: _Walk, head_seq: int, head_hash: str, checkpoints: dict[int, Checkpoint]
) -> list[Finding]:
    found: list[Finding] = []
    if walk.checked and walk.keyed_from is None:
        found.append(
            Finding(
                "chain",
                "the trail is not keyed: no event carries an HMAC (rewritten without the "
                "key, or the service never started with its audit key)",
            )
        )
    if head_seq > walk.last_seq:
        found.append(
            Finding(
                "chain",
                f"the trail ends at event {walk.last_seq} but its recorded head is event "
                f"{head_seq}: events were removed from the end",
                seq=walk.last_seq + 1,
            )
        )
    elif head_seq != walk.last_seq or head_hash != walk.last_hash:
        found.append(
            Finding(
                "chain",
                f"the recorded head (event {head_seq}, hash {head_hash[:12]}…) is not the "
                f"trail's last event (event {walk.last_seq}, hash {walk.last_hash[:12]}…): "
                "the head pointer was rewritten",
                seq=head_seq,
            )
        )
    beyond = [c for seq, c in sorted(checkpoints.items()) if seq > walk.last_seq]
    if beyond:
        latest = beyond[-1]
        found.append(
            Finding(
                "checkpoint",
                f"the trail ends at event {walk.last_seq} but a checkpoint of "
                f"{latest.created_at.isoformat()} vouches for event {latest.seq}: the trail "
                "was truncated after that checkpoint",
                seq=walk.last_seq + 1,
            )
        )
    return found
