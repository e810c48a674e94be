"""The `known_subjects` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from ..database import PublishingModel, UTCDateTime


class KnownSubject(PublishingModel, table=True):
    """A subject that used publishing (or was seeded): a candidate member of audiences.

    Policy lists no directory to services; publishing counts an audience among the
    subjects it knows, asking policy for each one's principals.
    """

    __tablename__ = "known_subjects"

    subject_id: str = Field(primary_key=True, max_length=128)
    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
