"""Tables of the decision log and of grant usage, both written off the request path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, Integer, String, Text
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.timestamps import UtcDateTime


class DecisionLogEntry(PolicyTable, table=True):
    """One logged decision, with the fields of OPA's decision logs."""

    __tablename__ = "decision_log"

    decision_id: str = Field(sa_column=Column(String(36), primary_key=True))
    timestamp: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    subject: str = Field(sa_column=Column(String(128), nullable=False, index=True))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    domain: str = Field(sa_column=Column(String(80), nullable=False, index=True))
    allowed: bool = Field(sa_column=Column(Boolean, nullable=False))
    policy_revision: int = Field(sa_column=Column(Integer, nullable=False))
    requested_by: str = Field(sa_column=Column(String(128), nullable=False))
    input: str = Field(sa_column=Column(Text, nullable=False))
    result: str = Field(sa_column=Column(Text, nullable=False))


class GrantUsage(PolicyTable, table=True):
    """The last time a grant was the one behind an allowing decision."""

    __tablename__ = "grant_usage"

    grant_id: str = Field(sa_column=Column(String(36), primary_key=True))
    last_used_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    uses: int = Field(sa_column=Column(Integer, nullable=False))
