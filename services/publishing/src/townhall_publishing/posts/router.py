"""HTTP endpoints of posts and comments."""

from __future__ import annotations

from fastapi import APIRouter, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep
from . import service
from .schemas import CommentCreate, CommentRead, PostCreate, PostRead

router = APIRouter(prefix="/v1/posts", tags=["posts"])


@router.post(
    "",
    summary="Create a post (social, or official where the author may publish officially)",
    status_code=201,
    response_model=PostRead,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def create_post(
    body: PostCreate,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> PostRead:
    post = service.create_post(session=session, gate=gate, author_id=user.subject, request=body)
    response.headers["Location"] = f"/v1/posts/{post.id}"
    return PostRead.model_validate(post)


@router.get(
    "/{post_id}",
    summary="One post, if the caller may read it (otherwise not found)",
    response_model=PostRead,
    responses=problem_responses(401, 403, 404, 503),
)
def get_post(post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep) -> PostRead:
    post = service.get_readable_post(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    return PostRead.model_validate(post)


@router.post(
    "/{post_id}/comments",
    summary="Comment on a post the caller may read",
    status_code=201,
    response_model=CommentRead,
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
)
def create_comment(
    post_id: str,
    body: CommentCreate,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> CommentRead:
    comment = service.add_comment(
        session=session, gate=gate, author_id=user.subject, post_id=post_id, request=body
    )
    return CommentRead.model_validate(comment)
