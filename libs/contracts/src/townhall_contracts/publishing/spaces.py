"""Spaces: what publishing's `/v1/spaces` API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..policy import SpaceKind
from ..readers import Visibility
from .fields import SpaceId


class SpaceCreate(BaseModel):
    """A new space; its creator becomes its owner."""

    model_config = ConfigDict(extra="forbid")

    id: SpaceId = Field(description="Stable slug, also the policy domain `space:<id>`.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    kind: SpaceKind
    visibility: Visibility
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class SpaceUpdate(BaseModel):
    """New name, description or visibility (a visibility change re-decides every post's readers)."""

    model_config = ConfigDict(extra="forbid")

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
        | None
    ) = None
    description: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None
    ) = None
    visibility: Visibility | None = None

    @model_validator(mode="after")
    def _something(self) -> SpaceUpdate:
        if self.name is None and self.description is None and self.visibility is None:
            raise ValueError("give a new name, description or visibility")
        return self


class SpaceRole(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    OWNER = "owner"


class MemberAdd(BaseModel):
    """Make a user a member, moderator or owner of the space (a policy grant)."""

    model_config = ConfigDict(extra="forbid")

    subject: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,127}$")]
    role: SpaceRole = SpaceRole.MEMBER
    justification: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)
    ]


class MemberAdded(BaseModel):
    space_id: str
    subject: str
    role: SpaceRole
    granted_by: str


class SpaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: SpaceKind
    visibility: Visibility
    description: str
    created_by: str
    created_at: datetime
    archived_at: datetime | None
    archived_by: str | None = None
    updated_at: datetime | None = None
    # The caller's own standing, where the answer is about them: a member (directly or
    # through a group), and following it.
    member: bool | None = None
    following: bool | None = None


class SpaceList(BaseModel):
    items: list[SpaceRead]
