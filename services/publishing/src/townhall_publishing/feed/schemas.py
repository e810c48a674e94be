"""What the feed answers."""

from __future__ import annotations

from pydantic import BaseModel

from ..posts.schemas import PostRead


class FeedPage(BaseModel):
    items: list[PostRead]
    next_cursor: str | None = None
