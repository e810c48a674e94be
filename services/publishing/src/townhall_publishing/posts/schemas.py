"""What the posts API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from townhall_contracts.readers import PostState

from .models import PostKind

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PostBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
CommentBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
]
Authority = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PostCreate(BaseModel):
    """A new post: social where policy allows `post.social`, official where `publish.official`."""

    model_config = ConfigDict(extra="forbid")

    space_id: Annotated[str, StringConstraints(min_length=1, max_length=63)]
    kind: PostKind
    title: Title
    body: PostBody
    authority: Authority | None = None

    @model_validator(mode="after")
    def _authority_only_for_official(self) -> PostCreate:
        if self.authority is not None and self.kind is not PostKind.OFFICIAL:
            raise ValueError("only an official post speaks with an authority")
        return self


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    space_id: str
    kind: PostKind
    title: str
    body: str
    author_id: str
    state: PostState
    authority: str | None
    version: int
    decision_id: str | None
    policy_revision: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: CommentBody


class CommentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    post_id: str
    author_id: str
    body: str
    state: PostState
    version: int
    decision_id: str | None
    policy_revision: int | None
    created_at: datetime
    updated_at: datetime
