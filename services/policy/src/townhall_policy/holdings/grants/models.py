"""The grants table. Revocation fills the revocation columns; rows are never deleted."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.holdings.validity import in_force
from townhall_policy.timestamps import UtcDateTime


def new_grant_id() -> str:
    return str(uuid.uuid4())


class Grant(PolicyTable, table=True):
    """A role held by a subject in a domain during [valid_from, valid_to)."""

    __tablename__ = "grants"

    id: str = Field(default_factory=new_grant_id, primary_key=True, max_length=36)
    subject_id: str = Field(
        sa_column=Column(String(128), ForeignKey("subjects.id"), nullable=False, index=True)
    )
    role: str = Field(max_length=64, index=True)
    domain: str = Field(
        sa_column=Column(String(80), ForeignKey("domains.id"), nullable=False, index=True)
    )
    valid_from: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    valid_to: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    granted_by: str = Field(max_length=128)
    granted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    justification: str = Field(max_length=1000)
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    revoked_by: str | None = Field(default=None, max_length=128)
    revocation_justification: str | None = Field(default=None, max_length=1000)

    def is_active_at(self, instant: datetime) -> bool:
        """True when the grant was in force at `instant`: within validity, not yet revoked."""
        return in_force(
            instant, valid_from=self.valid_from, valid_to=self.valid_to, ended_at=self.revoked_at
        )
