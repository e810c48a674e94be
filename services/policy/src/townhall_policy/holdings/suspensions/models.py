"""The suspensions table. Lifting fills the lift columns; rows are never deleted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.holdings.validity import in_force
from townhall_policy.timestamps import UtcDateTime


def new_suspension_id() -> str:
    return str(uuid.uuid4())


class Suspension(PolicyTable, table=True):
    """`subject` may not do `action` (every action when None) in `domain` (`org`: anywhere)."""

    __tablename__ = "suspensions"

    id: str = Field(default_factory=new_suspension_id, primary_key=True, max_length=36)
    subject_id: str = Field(
        sa_column=Column(String(128), ForeignKey("subjects.id"), nullable=False, index=True)
    )
    domain: str = Field(sa_column=Column(String(80), ForeignKey("domains.id"), nullable=False))
    action: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    valid_from: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    valid_to: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_by: str = Field(sa_column=Column(String(128), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    justification: str = Field(sa_column=Column(String(1000), nullable=False))
    lifted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    lifted_by: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    lift_justification: str | None = Field(
        default=None, sa_column=Column(String(1000), nullable=True)
    )

    def is_active_at(self, instant: datetime) -> bool:
        """True when the suspension was in force at `instant`."""
        return in_force(
            instant, valid_from=self.valid_from, valid_to=self.valid_to, ended_at=self.lifted_at
        )
