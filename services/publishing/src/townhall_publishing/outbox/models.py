"""The `outbox` table: one row per change event, in the order they were written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, Integer, text
from sqlmodel import Field

from ..database import PublishingModel, UTCDateTime, utcnow

# SQLite autoincrements only an INTEGER primary key; PostgreSQL gets a bigint identity.
_EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(PublishingModel, table=True):
    """A change to deliver to search; `id` is its event id and fixes the delivery order."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("op IN ('upsert', 'delete')", name="ck_outbox_op"),
        CheckConstraint("version >= 1", name="ck_outbox_version"),
        Index(
            "ix_outbox_pending",
            "id",
            postgresql_where=text("delivered_at IS NULL"),
            sqlite_where=text("delivered_at IS NULL"),
        ),
        Index("ix_outbox_doc_id", "doc_id", "version"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None, sa_column=Column(_EVENT_ID, primary_key=True, autoincrement=True)
    )
    doc_id: str = Field(max_length=128)
    version: int
    op: str = Field(max_length=16)
    # The search document (an `IndexDocument`); none for a delete.
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
