"""The `feed_tokens` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import PublishingModel, utcnow


class FeedToken(PublishingModel, table=True):
    """A user's feed token. Only the SHA-256 of its value is kept: the value is random
    enough that a fast hash cannot be reversed, and a feed poll must find it in one
    indexed lookup."""

    __tablename__ = "feed_tokens"
    __table_args__ = (
        Index("ix_feed_tokens_user", "user_id", "revoked_at"),
        Index("ix_feed_tokens_hash", "token_hash", unique=True),
    )

    id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(max_length=128)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
