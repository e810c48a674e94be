"""A user's preferences: a channel per kind, digest frequency, language, address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import NotificationsModel


class Preference(NotificationsModel, table=True):
    """Written on the first change; a user without a row has the defaults."""

    __tablename__ = "preferences"

    user_id: str = Field(primary_key=True, max_length=128)
    channels: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    digest: str = Field(default="daily", max_length=16)
    language: str = Field(default="fr", max_length=8)
    email: str | None = Field(default=None, max_length=254)
    last_digest_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
