"""The audit trail table: one row per change, each chained to the previous by its hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Column, Integer, String, Text
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.timestamps import UtcDateTime


class AuditEvent(PolicyTable, table=True):
    """An append-only record of one change: who, when, what, why, and the chain link."""

    __tablename__ = "audit_events"

    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    occurred_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    actor: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    event_type: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    target: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    domain: str | None = Field(
        default=None, sa_column=Column(String(80), nullable=True, index=True)
    )
    justification: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    policy_revision: int = Field(sa_column=Column(Integer, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    # The key whose HMAC `hash` is; NULL for events chained before the trail was keyed.
    key_id: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))


class EventRecord(Protocol):
    """What chaining, verifying and replaying read of an event (a row or a `StoredEvent`)."""

    @property
    def seq(self) -> int: ...
    @property
    def id(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def domain(self) -> str | None: ...
    @property
    def justification(self) -> str | None: ...
    @property
    def payload(self) -> str: ...
    @property
    def policy_revision(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def key_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read for verification: plain values, far cheaper than a mapped row."""

    seq: int
    id: str
    occurred_at: datetime
    actor: str
    event_type: str
    target: str
    domain: str | None
    justification: str | None
    payload: str
    policy_revision: int
    prev_hash: str
    hash: str
    key_id: str | None
