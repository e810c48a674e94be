"""HTTP endpoints of the feeds: company-wide, and one space's posts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep
from . import service
from .presenters import feed_page_response
from .schemas import FeedPage

router = APIRouter(prefix="/v1", tags=["feed"])


@router.get(
    "/feed",
    summary="Published posts the caller may read, official first, then newest",
    response_model=FeedPage,
    responses=problem_responses(400, 401, 403, 422, 503),
)
def read_feed(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    page = service.read_feed(
        session=session, gate=gate, subject=user.subject, cursor=cursor, limit=limit
    )
    return feed_page_response(session, page)


@router.get(
    "/spaces/{space_id}/posts",
    summary="The space's posts the caller may read: pinned, official, then newest",
    response_model=FeedPage,
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def space_posts(
    space_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    page = service.read_feed(
        session=session,
        gate=gate,
        subject=user.subject,
        cursor=cursor,
        limit=limit,
        space_id=space_id,
    )
    return feed_page_response(session, page)
