"""Tables of the directory: subjects and group memberships."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
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
    display_name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=16)
    department: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    # For groups: what the group stands for (`department`, `site`, `team`).
    group_type: str | None = Field(default=None, max_length=32)
    active: bool = Field(default=True)
    # Set by SCIM provisioning: the userName as the client spelled it (the id is its
    # lower case), the client's own id for the subject, and when the client deleted it.
    user_name: str | None = Field(default=None, max_length=128)
    external_id: str | None = Field(default=None, max_length=255, index=True)
    deprovisioned_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
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


class DirectoryPeriod(PolicyTable, table=True):
    """History of the directory, so audits at a past instant see it as it was.

    `kind = 'membership'`: `subject_id` was a member of `group_id` during the period;
    `kind = 'inactive'`: `subject_id` was deactivated during the period.
    """

    __tablename__ = "directory_periods"
    __table_args__ = (
        CheckConstraint("kind IN ('membership', 'inactive')", name="ck_directory_periods_kind"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    subject_id: str = Field(
        sa_column=Column(String(128), ForeignKey("subjects.id"), nullable=False, index=True)
    )
    group_id: str | None = Field(
        default=None, sa_column=Column(String(128), ForeignKey("subjects.id"), nullable=True)
    )
    valid_from: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    valid_to: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
