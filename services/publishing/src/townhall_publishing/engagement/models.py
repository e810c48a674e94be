"""The `reactions`, `acknowledgements` and `post_views` tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String
from sqlmodel import Field

from townhall_contracts.publishing.engagement import ReactionKind as ReactionKind

from ..database import PublishingModel, UTCDateTime


class Reaction(PublishingModel, table=True):
    """One reaction of one user of one kind on a post: the primary key makes it unique."""

    __tablename__ = "reactions"

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id"), primary_key=True, nullable=False)
    )
    user_id: str = Field(primary_key=True, max_length=128)
    kind: str = Field(primary_key=True, max_length=16)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None


class Acknowledgement(PublishingModel, table=True):
    """A reader acknowledged an official post; once per reader and post."""

    __tablename__ = "acknowledgements"
    __table_args__ = (Index("ix_acknowledgements_at", "acknowledged_at"),)

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id"), primary_key=True, nullable=False)
    )
    user_id: str = Field(primary_key=True, max_length=128)
    acknowledged_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None


class PostView(PublishingModel, table=True):
    """The first time a user opened an official post: the readers of its reach."""

    __tablename__ = "post_views"

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id"), primary_key=True, nullable=False)
    )
    user_id: str = Field(primary_key=True, max_length=128)
    first_viewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
