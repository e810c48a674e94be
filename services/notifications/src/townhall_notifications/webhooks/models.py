"""Webhook subscriptions, their deliveries (one per event) and every attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import NotificationsModel, utcnow


class WebhookSubscription(NotificationsModel, table=True):
    __tablename__ = "webhook_subscriptions"

    id: str = Field(primary_key=True, max_length=36)
    owner_id: str = Field(max_length=128, index=True)
    url: str = Field(max_length=2000)
    events: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    space_id: str | None = Field(default=None, max_length=128)
    secret: str = Field(max_length=200)
    # `standard` (the event, signed), or a chat card: `teams` or `slack`.
    format: str = Field(default="standard", max_length=16)
    active: bool = Field(default=True)
    disabled_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class WebhookDelivery(NotificationsModel, table=True):
    """One event for one subscription; retried until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: str = Field(max_length=36, index=True)
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_type: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)


class WebhookAttempt(NotificationsModel, table=True):
    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
