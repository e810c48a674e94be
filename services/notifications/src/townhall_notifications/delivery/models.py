"""Notifications, the events already applied, and the acknowledgements still due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import NotificationsModel, utcnow


class AppliedEvent(NotificationsModel, table=True):
    """An event whose notifications were written (in the same transaction): a replay of
    it is skipped whole."""

    __tablename__ = "applied_events"

    event_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    type: str = Field(max_length=64)
    applied_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Notification(NotificationsModel, table=True):
    """One item of one user's inbox. `source_key` names what caused it (an event, a
    reminder): with the recipient it is unique, so nothing is written twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("source_key", "recipient_id", name="uq_notifications_source_recipient"),
        Index("ix_notifications_recipient_id_desc", "recipient_id", "id"),
        Index("ix_notifications_digest", "digest_pending", "recipient_id"),
        Index("ix_notifications_email", "email_pending"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: str = Field(max_length=128)
    kind: str = Field(max_length=40)
    post_id: str = Field(max_length=128)
    space_id: str = Field(max_length=128)
    title: str = Field(max_length=300)
    excerpt: str = Field(default="", max_length=500)
    actor_id: str | None = Field(default=None, max_length=128)
    source_key: str = Field(max_length=160)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # Waiting for the mail worker to queue its own mail, or for the next digest.
    email_pending: bool = Field(default=False)
    digest_pending: bool = Field(default=False)


class AcknowledgementDue(NotificationsModel, table=True):
    """A user asked to acknowledge a post: reminded before `due_at` until acknowledged."""

    __tablename__ = "acknowledgements_due"
    __table_args__ = (Index("ix_acknowledgements_due_open", "acknowledged", "due_at"),)

    post_id: str = Field(primary_key=True, max_length=128)
    user_id: str = Field(primary_key=True, max_length=128)
    space_id: str = Field(max_length=128)
    title: str = Field(max_length=300)
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    acknowledged: bool = Field(default=False)
    # How many of the configured reminders went out.
    reminders_sent: int = Field(default=0)
