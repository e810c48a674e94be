"""The `posts`, `post_readers` and `comments` tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String
from sqlmodel import Field

from ..database import PublishingModel, UTCDateTime, utcnow

# The authority an official post speaks with when its author names none.
DEFAULT_AUTHORITY = "Direction de la communication"

_STATES = "'draft', 'submitted', 'approved', 'rejected', 'scheduled', 'published', " + (
    "'hidden', 'retracted', 'deleted'"
)


class PostKind(StrEnum):
    SOCIAL = "social"
    OFFICIAL = "official"


class Post(PublishingModel, table=True):
    """A social or official post; `readers` is the readers rule's answer for its state."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("kind IN ('social', 'official')", name="ck_posts_kind"),
        CheckConstraint(f"state IN ({_STATES})", name="ck_posts_state"),
        CheckConstraint("version >= 1", name="ck_posts_version"),
        Index("ix_posts_space_id", "space_id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    space_id: str = Field(sa_column=Column(String(63), ForeignKey("spaces.id"), nullable=False))
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    body: str
    author_id: str = Field(max_length=128)
    state: str = Field(max_length=16)
    readers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    authority: str | None = Field(default=None, max_length=200)
    audience_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Grows with every change; search never lets a document's version go backwards.
    version: int = 1
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class PostReader(PublishingModel, table=True):
    """One principal among a post's readers, so that feeds filter inside the query.

    The post's `readers` column stays the list sent to search; these rows mirror it and
    are rewritten together with it.
    """

    __tablename__ = "post_readers"
    __table_args__ = (Index("ix_post_readers_principal", "principal", "post_id"),)

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    principal: str = Field(primary_key=True, max_length=200)


class Comment(PublishingModel, table=True):
    """A comment on a post; it is read by whoever may read the post."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="ck_comments_state"),
        CheckConstraint("version >= 1", name="ck_comments_version"),
        Index("ix_comments_post_id", "post_id", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    post_id: str = Field(sa_column=Column(String(36), ForeignKey("posts.id"), nullable=False))
    author_id: str = Field(max_length=128)
    body: str
    state: str = Field(max_length=16)
    readers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
