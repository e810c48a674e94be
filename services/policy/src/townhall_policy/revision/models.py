"""The single-row revision table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.timestamps import UtcDateTime, utcnow

REVISION_ROW_ID = 1


class PolicyRevision(PolicyTable, table=True):
    """The one row holding the current revision; instances poll it to stay in step."""

    __tablename__ = "policy_revision"

    id: int = Field(default=REVISION_ROW_ID, primary_key=True)
    revision: int
    # The head of the audit chain: a removed last event is caught against it.
    audit_seq: int = Field(default=0)
    audit_hash: str = Field(default="0" * 64, max_length=64)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )
