"""The mail queue: one row per mail, keyed by what it is about so none goes twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import NotificationsModel, utcnow


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the configured attempts
    BOUNCED = "bounced"  # the server refused it for good (5xx)


class OutgoingMail(NotificationsModel, table=True):
    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # e.g. `notification:<id>` or `digest:<user>:<period>`: a second enqueue is a no-op.
    delivery_key: str = Field(max_length=200, unique=True)
    recipient_id: str = Field(max_length=128)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str = Field(sa_column=Column(Text, nullable=False))
    unsubscribe_url: str = Field(max_length=500)
    status: str = Field(default=MailStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
