"""The notifications service's own table registry (its UTC column type: `townhall_platform.db`).

Its tables live in a registry of their own, so that its metadata (what the migrations'
drift check compares with) holds only its tables when other services' models are
imported in the same process.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

notifications_registry = registry()
metadata = notifications_registry.metadata


class NotificationsModel(SQLModel, registry=notifications_registry):
    """Base of every notifications table."""


def utcnow() -> datetime:
    return datetime.now(UTC)
