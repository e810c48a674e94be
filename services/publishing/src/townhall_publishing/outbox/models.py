"""The `outbox` table: one row per event for the bus, in the order they were written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, Integer, text
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import PublishingModel, utcnow

# SQLite autoincrements only an INTEGER primary key; PostgreSQL gets a bigint identity.
_EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(PublishingModel, table=True):
    """An event to publish on the bus (`townhall_contracts.events.Event`); `id` is its
    event id and fixes the publishing order."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("version IS NULL OR version >= 1", name="ck_outbox_version"),
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
    # An `EventType` value, and the envelope's `data` for it.
    type: str = Field(max_length=64)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The search document and its version, for document events (the export's summary).
    doc_id: str | None = Field(default=None, max_length=128)
    version: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=2000)
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The W3C `traceparent` of the request that wrote the event, when tracing is on: its
    # bus message continues that trace.
    trace_parent: str | None = Field(default=None, max_length=64)
