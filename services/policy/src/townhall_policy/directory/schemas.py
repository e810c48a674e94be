"""Bodies of the directory endpoints (SCIM-like: create, replace, patch, deactivate)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from townhall_policy.fields import Justification
from townhall_policy.holdings.directory.models import Subject

SubjectIdField = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,127}$")]
GroupType = Literal["department", "site", "team"]
JUSTIFICATION_DESCRIPTION = "Why the change is made (recorded in the audit trail)"


class SubjectFields(BaseModel):
    """A subject as the provisioning source describes it (a CSV row, say)."""

    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(min_length=1, max_length=200)
    department: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    group_type: GroupType | None = Field(default=None, description="Groups only")
    groups: list[SubjectIdField] | None = Field(
        default=None, max_length=500, description="Users only: replaces the memberships"
    )
    active: bool = True


class SubjectBody(SubjectFields):
    """A subject to create or replace, and why."""

    justification: Justification = Field(description=JUSTIFICATION_DESCRIPTION)


class SubjectRow(SubjectFields):
    """One row of a CSV import (the import's justification covers every row)."""

    id: SubjectIdField
    kind: Literal["user", "group"] = "user"
    # The org roles the subject holds (a group's count for its members); None: the file
    # says nothing and the roles are kept.
    roles: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=20
    )


class SubjectCreate(SubjectBody):
    id: SubjectIdField
    kind: Literal["user", "group"] = "user"


class SubjectPatch(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    department: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    group_type: GroupType | None = None
    groups: list[SubjectIdField] | None = Field(default=None, max_length=500)
    active: bool | None = None
    justification: Justification = Field(description=JUSTIFICATION_DESCRIPTION)


class Deactivation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    justification: Justification = Field(description=JUSTIFICATION_DESCRIPTION)


class SubjectRead(BaseModel):
    id: str
    kind: str
    display_name: str
    department: str | None
    email: str | None
    group_type: str | None
    active: bool
    groups: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, subject: Subject, *, groups: list[str]) -> SubjectRead:
        return cls(
            id=subject.id,
            kind=subject.kind,
            display_name=subject.display_name,
            department=subject.department,
            email=subject.email,
            group_type=subject.group_type,
            active=subject.active,
            groups=groups,
            created_at=subject.created_at,
            updated_at=subject.updated_at,
        )


class SubjectList(BaseModel):
    subjects: list[SubjectRead]


class ImportReport(BaseModel):
    rows: int
    created: int
    updated: int
    unchanged: int
    deactivated: int
    reactivated: int
    roles_granted: int = 0
    roles_revoked: int = 0
    policy_revision: int
