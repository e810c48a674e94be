"""HTTP endpoints of the official workflow: its steps on a post, and the review queue."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from ..feed.schemas import FeedPage
from ..posts.presenters import present_post, present_posts
from ..posts.schemas import PostRead, PublishRequest, ReasonRequest, RejectRequest, SubmitRequest
from . import service

router = APIRouter(prefix="/v1", tags=["workflow"], route_class=UnitOfWorkRoute)

_WRITE = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)


@router.post(
    "/posts/{post_id}/submit",
    summary="Submit an official draft for approval",
    response_model=PostRead,
    responses=_WRITE,
)
def submit_post(
    post_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    body: SubmitRequest | None = None,
) -> PostRead:
    post = service.submit(
        session=session,
        gate=gate,
        actor=user.subject,
        post_id=post_id,
        publish_at=body.publish_at if body else None,
    )
    return present_post(session, post)


@router.post(
    "/posts/{post_id}/withdraw",
    summary="Withdraw one's own submission (submitted or approved) back to a draft",
    response_model=PostRead,
    responses=_WRITE,
)
def withdraw_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.withdraw(session=session, gate=gate, actor=user.subject, post_id=post_id)
    return present_post(session, post)


@router.post(
    "/posts/{post_id}/approve",
    summary="Approve a submitted official post (not one's own)",
    response_model=PostRead,
    responses=_WRITE,
)
def approve_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.approve(session=session, gate=gate, actor=user.subject, post_id=post_id)
    return present_post(session, post)


@router.post(
    "/posts/{post_id}/reject",
    summary="Reject a submitted official post with a reason (not one's own)",
    response_model=PostRead,
    responses=_WRITE,
)
def reject_post(
    post_id: str, body: RejectRequest, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.reject(
        session=session, gate=gate, actor=user.subject, post_id=post_id, reason=body.reason
    )
    return present_post(session, post)


@router.post(
    "/posts/{post_id}/publish",
    summary="Publish an approved official post now, or schedule it (`at`)",
    response_model=PostRead,
    responses=_WRITE,
)
def publish_post(
    post_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    body: PublishRequest | None = None,
) -> PostRead:
    post = service.publish(
        session=session,
        gate=gate,
        actor=user.subject,
        post_id=post_id,
        at=body.at if body else None,
    )
    return present_post(session, post)


@router.post(
    "/posts/{post_id}/retract",
    summary="Retract a published or scheduled official post, with a reason",
    response_model=PostRead,
    responses=_WRITE,
)
def retract_post(
    post_id: str, body: ReasonRequest, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.retract(
        session=session, gate=gate, actor=user.subject, post_id=post_id, reason=body.reason
    )
    return present_post(session, post)


@router.get(
    "/workflow/queue",
    summary="Official posts in review or scheduled, where the caller approves or publishes",
    response_model=FeedPage,
    responses=problem_responses(401, 403, 503),
)
def review_queue(user: CurrentUser, session: SessionDep, gate: PolicyGateDep) -> FeedPage:
    posts = service.review_queue(session=session, gate=gate, subject=user.subject)
    return FeedPage(items=present_posts(session, posts), next_cursor=None)
