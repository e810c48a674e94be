"""Moderation: reports, hiding and restoring (`/v1/moderation`, `/v1/posts/{id}/...`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .fields import Reason


class ModerationRequest(BaseModel):
    """Hide or restore a post, or one of its comments (`comment_id`), with a reason."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason
    comment_id: str | None = Field(default=None, max_length=36)


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
    comment_id: str | None = Field(default=None, max_length=36)


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    post_id: str
    comment_id: str | None
    space_id: str
    reporter_id: str
    reason: str
    status: str
    created_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None


class ReportList(BaseModel):
    items: list[ReportRead]


class ModerationActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    post_id: str
    comment_id: str | None
    space_id: str
    action: str
    moderator_id: str
    reason: str
    at: datetime
    decision_id: str | None
    policy_revision: int | None


class ModerationActionList(BaseModel):
    items: list[ModerationActionRead]
