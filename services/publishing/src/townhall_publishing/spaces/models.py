"""The `spaces` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import PublishingModel, utcnow


class Space(PublishingModel, table=True):
    """A space; its id is also its policy domain `space:<id>`."""

    __tablename__ = "spaces"
    __table_args__ = (
        CheckConstraint("kind IN ('community', 'announcement')", name="ck_spaces_kind"),
        CheckConstraint("visibility IN ('public', 'restricted')", name="ck_spaces_visibility"),
    )

    id: str = Field(primary_key=True, max_length=63)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=16)
    visibility: str = Field(max_length=16)
    description: str = Field(default="", max_length=2000)
    created_by: str = Field(max_length=128)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    archived_by: str | None = Field(default=None, max_length=128)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    updated_by: str | None = Field(default=None, max_length=128)
    # The policy decision that allowed the creation (none for operator-seeded spaces).
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None


class SpaceFollow(PublishingModel, table=True):
    """Someone follows a space: a choice of their own, which takes no role."""

    __tablename__ = "space_follows"
    __table_args__ = (Index("ix_space_follows_user_id", "user_id"),)

    space_id: str = Field(sa_column=Column(String(63), ForeignKey("spaces.id"), primary_key=True))
    user_id: str = Field(primary_key=True, max_length=128)
    followed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
