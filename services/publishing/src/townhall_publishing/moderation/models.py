"""The `reports` and `moderation_actions` tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import PublishingModel


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ModerationVerb(StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"


class Report(PublishingModel, table=True):
    """A reader's report of a post or one of its comments, with a reason."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="ck_reports_status"),
        Index("ix_reports_queue", "status", "space_id", "created_at"),
        Index("ix_reports_target", "post_id", "comment_id", "status"),
    )

    id: str = Field(primary_key=True, max_length=36)
    post_id: str = Field(sa_column=Column(String(36), ForeignKey("posts.id"), nullable=False))
    comment_id: str | None = Field(
        default=None, sa_column=Column(String(36), ForeignKey("comments.id"), nullable=True)
    )
    space_id: str = Field(max_length=63)
    reporter_id: str = Field(max_length=128)
    reason: str = Field(max_length=2000)
    status: str = Field(default=ReportStatus.OPEN.value, max_length=16)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    resolved_by: str | None = Field(default=None, max_length=128)
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolution: str | None = Field(default=None, max_length=16)
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None


class ModerationAction(PublishingModel, table=True):
    """Who hid, restored or dismissed what, when and why, and the decision behind it."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        CheckConstraint(
            "action IN ('hide', 'restore', 'dismiss')", name="ck_moderation_actions_action"
        ),
        Index("ix_moderation_actions_post", "post_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: str = Field(sa_column=Column(String(36), ForeignKey("posts.id"), nullable=False))
    comment_id: str | None = Field(default=None, max_length=36)
    space_id: str = Field(max_length=63)
    action: str = Field(max_length=16)
    moderator_id: str = Field(max_length=128)
    reason: str = Field(max_length=2000)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None
