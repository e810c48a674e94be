"""The audit trail table: one row per change, each chained to the previous by its hash."""

from __future__ import annotations

from datetime import datetime

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
