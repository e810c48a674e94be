"""HTTP endpoint of the feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from . import service
from .presenters import feed_page_response
from .schemas import FeedPage

router = APIRouter(prefix="/v1/feed", tags=["feed"], route_class=UnitOfWorkRoute)


@router.get(
    "",
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
