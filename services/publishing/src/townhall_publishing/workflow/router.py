"""HTTP endpoint of the review queue of official posts."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from ..feed.schemas import FeedPage
from ..posts.presenters import present_posts
from . import service

router = APIRouter(prefix="/v1/workflow", tags=["workflow"], route_class=UnitOfWorkRoute)


@router.get(
    "/queue",
    summary="Official posts in review or scheduled, where the caller approves or publishes",
    response_model=FeedPage,
    responses=problem_responses(401, 403, 503),
)
def review_queue(user: CurrentUser, session: SessionDep, gate: PolicyGateDep) -> FeedPage:
    posts = service.review_queue(session=session, gate=gate, subject=user.subject)
    return FeedPage(items=present_posts(session, posts), next_cursor=None)
