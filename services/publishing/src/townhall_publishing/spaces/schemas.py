"""What the spaces API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from townhall_contracts.policy import SpaceKind
from townhall_contracts.readers import Visibility

# The same shape policy accepts in a `space:<id>` domain.
SPACE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"

SpaceId = Annotated[str, StringConstraints(pattern=SPACE_ID_PATTERN)]


class SpaceCreate(BaseModel):
    """A new space; its creator becomes its owner."""

    model_config = ConfigDict(extra="forbid")

    id: SpaceId = Field(description="Stable slug, also the policy domain `space:<id>`.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    kind: SpaceKind
    visibility: Visibility
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


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


class SpaceList(BaseModel):
    items: list[SpaceRead]
