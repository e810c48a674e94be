"""Comments, reactions and acknowledgements of a post (`/v1/posts/{id}/...`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from townhall_platform.params import PositiveInt

from ..readers import PostState
from .fields import Authority

CommentBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
]


class ReactionKind(StrEnum):
    LIKE = "like"
    CELEBRATE = "celebrate"
    SUPPORT = "support"
    INSIGHTFUL = "insightful"
    CURIOUS = "curious"


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: CommentBody
    parent_id: str | None = Field(default=None, max_length=36)
    official: bool = False
    authority: Authority | None = None
    # The revision of the post the author read: refused with 409 if it was edited since.
    post_revision: PositiveInt | None = None

    @model_validator(mode="after")
    def _authority_only_official(self) -> CommentCreate:
        if self.authority is not None and not self.official:
            raise ValueError("only an official answer speaks with an authority")
        return self


class CommentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: CommentBody


class CommentRead(BaseModel):
    """A comment as readers get it; `body_html` is the sanitized HTML clients show."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    post_id: str
    parent_id: str | None
    author_id: str
    body: str
    body_html: str
    mentions: list[str]
    official: bool
    authority: str | None
    # The revision of the post's text this comment was written under; an official answer
    # vouches for that revision only, so it no longer does once `post_edited_since`.
    post_revision: int
    post_edited_since: bool = False
    state: PostState
    version: int
    edit_count: int
    decision_id: str | None
    policy_revision: int | None
    hidden_at: datetime | None
    hidden_reason: str | None
    created_at: datetime
    updated_at: datetime


class CommentList(BaseModel):
    items: list[CommentRead]


class ReactionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReactionKind


class ReactionSummary(BaseModel):
    post_id: str
    counts: dict[str, int]
    mine: list[str]


class AcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    post_id: str
    user_id: str
    acknowledged_at: datetime


class AcknowledgementReport(BaseModel):
    """Who of the audience acknowledged, and who has not yet."""

    post_id: str
    audience: int
    acknowledged: int
    pending: int
    rate: float | None
    acknowledged_by: list[AcknowledgementRead]
    pending_subjects: list[str]
    names_withheld: bool = Field(
        default=False,
        description="The audience holds a space the caller may not see: numbers, no names",
    )
