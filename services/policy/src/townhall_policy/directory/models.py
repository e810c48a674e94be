"""Tables of the directory: subjects and group memberships."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, String
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.timestamps import UtcDateTime, utcnow


class SubjectKind(StrEnum):
    USER = "user"
    GROUP = "group"


class Subject(PolicyTable, table=True):
    """A user or a group; only active subjects take part in decisions."""

    __tablename__ = "subjects"
    __table_args__ = (CheckConstraint("kind IN ('user', 'group')", name="ck_subjects_kind"),)

    id: str = Field(primary_key=True, max_length=128)
    display_name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    department: str | None = Field(default=None, max_length=100)
    active: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )


class GroupMembership(PolicyTable, table=True):
    """A subject belongs to a group; grants held by the group count for its members."""

    __tablename__ = "group_memberships"

    group_id: str = Field(
        sa_column=Column(String(128), ForeignKey("subjects.id"), primary_key=True)
    )
    member_id: str = Field(
        sa_column=Column(String(128), ForeignKey("subjects.id"), primary_key=True, index=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False)
    )
