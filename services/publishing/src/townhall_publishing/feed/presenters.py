"""A feed page as the API answers it, serialised once."""

from __future__ import annotations

from fastapi import Response
from sqlmodel import Session

from ..posts.repository import ReactionRepository
from .schemas import FeedPage
from .service import FeedSlice


def feed_page_response(session: Session, page: FeedSlice) -> Response:
    """The page with each post's reaction counts (one query for the lot), validated once
    from plain rows and written as JSON directly, not validated again through the route's
    `response_model` (kept for its schema)."""
    counts = ReactionRepository(session).counts([row["id"] for row in page.rows])
    answer = FeedPage.model_validate(
        {
            "items": [{**row, "reactions": counts.get(row["id"], {})} for row in page.rows],
            "next_cursor": page.next_cursor,
        }
    )
    return Response(answer.model_dump_json(), media_type="application/json")
