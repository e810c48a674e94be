"""A page of posts: the feed, a space's posts, the review queue."""

from __future__ import annotations

from pydantic import BaseModel

from .posts import PostRead


class FeedPage(BaseModel):
    items: list[PostRead]
    next_cursor: str | None = None
