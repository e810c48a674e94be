"""Signed checkpoints of the chain's head, written outside the database.

A checkpoint says "event `seq` of trail `trail_id` had hash `hash`", signed with the
audit key. Kept where the database's writers cannot rewrite it (the operator chooses:
a directory on other storage, a write-once bucket mount), it catches what a keyed chain
alone cannot: a trail truncated or rewritten by someone holding the key and the
database. Checkpoints are files `<dir>/<trail_id>/<seq>.json`, never overwritten.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from townhall_policy.audit import repository
from townhall_policy.audit.chain import canonical_json, keyed_hash
from townhall_policy.audit.keys import AuditKeyring
from townhall_policy.timestamps import as_utc

CHECKPOINT_LABEL = b"townhall-audit-checkpoint/1"
CHECKPOINT_FORMAT = "townhall-audit-checkpoint/1"


class CheckpointRefused(RuntimeError):
    """The head cannot be vouched for (its MAC does not verify): no checkpoint is written."""


@dataclass(frozen=True)
class Checkpoint:
    """Event `seq` of trail `trail_id` had `hash`; signed by key `key_id` at `created_at`."""

    trail_id: str
    seq: int
    hash: str
    created_at: datetime
    key_id: str
    mac: str = field(default="", compare=False)

    def body(self) -> dict[str, Any]:
        return {
            "format": CHECKPOINT_FORMAT,
            "trail_id": self.trail_id,
            "seq": self.seq,
            "hash": self.hash,
            "created_at": as_utc(self.created_at).isoformat(),
            "key_id": self.key_id,
        }

    @property
    def file_name(self) -> str:
        return f"{self.seq:012d}.json"


@dataclass(frozen=True)
class CheckpointRead:
    """The checkpoints of one trail found in a directory, and what was wrong with others."""

    checkpoints: list[Checkpoint]
    problems: list[str]
    other_trails: list[str]


def _signed(checkpoint: Checkpoint, keyring: AuditKeyring) -> Checkpoint:
    mac = keyring.current.mac(CHECKPOINT_LABEL, canonical_json(checkpoint.body()).encode())
    return replace(checkpoint, mac=mac)


def latest_checkpoint(directory: Path, trail_id: str) -> int | None:
    """The highest checkpointed sequence number of the trail, from the file names."""
    trail_dir = directory / trail_id
    if not trail_dir.is_dir():
        return None
    seqs = [int(p.stem) for p in trail_dir.glob("*.json") if p.stem.isdigit()]
    return max(seqs, default=None)


def write_checkpoint(
    session: Session, keyring: AuditKeyring, directory: Path, *, now: datetime
) -> Checkpoint | None:
    """Checkpoint the trail's last event; None when the trail is empty or unchanged.

    The last event's MAC is checked first: a checkpoint vouches only for what the key
    signed, never for a row someone without the key wrote.
    """
    trail_id = repository.first_event_id(session)
    last = repository.last_event(session)
    if trail_id is None or last is None:
        return None
    key = keyring.find(last.key_id) if last.key_id else None
    if key is None or keyed_hash(last, key) != last.hash:
        raise CheckpointRefused(
            f"event {last.seq}, the head of the trail, does not carry a valid MAC under a "
            "known key: run verify; no checkpoint is written over a tampered head"
        )
    if (latest := latest_checkpoint(directory, trail_id)) is not None and latest >= last.seq:
        return None
    checkpoint = _signed(
        Checkpoint(
            trail_id=trail_id,
            seq=last.seq,
            hash=last.hash,
            created_at=now,
            key_id=keyring.current.id,
        ),
        keyring,
    )
    _write_once(directory / trail_id / checkpoint.file_name, checkpoint)
    return checkpoint


def _write_once(path: Path, checkpoint: Checkpoint) -> None:
    """Write the file whole and atomically; an existing checkpoint is never replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**checkpoint.body(), "mac": checkpoint.mac}, indent=2) + "\n"
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        path.hardlink_to(tmp)  # fails if another instance wrote this checkpoint first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def read_checkpoints(directory: Path, trail_id: str, keyring: AuditKeyring) -> CheckpointRead:
    """Every checkpoint of the trail, each checked against the keyring."""
    checkpoints: list[Checkpoint] = []
    problems: list[str] = []
    other_trails: list[str] = []
    if directory.is_dir():
        other_trails = sorted(
            p.name for p in directory.iterdir() if p.is_dir() and p.name != trail_id
        )
    trail_dir = directory / trail_id
    paths = sorted(trail_dir.glob("*.json")) if trail_dir.is_dir() else []
    for path in paths:
        checkpoint, problem = _parse(path, trail_id, keyring)
        if checkpoint is not None:
            checkpoints.append(checkpoint)
        else:
            problems.append(f"checkpoint {path.name}: {problem}")
    return CheckpointRead(checkpoints=checkpoints, problems=problems, other_trails=other_trails)


def _parse(
    path: Path, trail_id: str, keyring: AuditKeyring
) -> tuple[Checkpoint | None, str | None]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(
            trail_id=str(raw["trail_id"]),
            seq=int(raw["seq"]),
            hash=str(raw["hash"]),
            created_at=datetime.fromisoformat(str(raw["created_at"])),
            key_id=str(raw["key_id"]),
            mac=str(raw["mac"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"unreadable ({exc.__class__.__name__}: {exc})"
    key = keyring.find(checkpoint.key_id)
    if key is None:
        return None, f"signed with key {checkpoint.key_id}, which this service does not hold"
    expected = key.mac(CHECKPOINT_LABEL, canonical_json(checkpoint.body()).encode())
    if raw.get("format") != CHECKPOINT_FORMAT or expected != checkpoint.mac:
        return None, "its signature does not verify: the file was altered or forged"
    if checkpoint.trail_id != trail_id or path.stem != f"{checkpoint.seq:012d}":
        return None, "it names another trail or event than its file name says"
    return checkpoint, None
