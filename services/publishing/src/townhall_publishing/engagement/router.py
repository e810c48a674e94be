"""HTTP endpoints of comments, reactions and acknowledgements on a post."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import Session

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from ..posts.access import find_post
from ..posts.models import ReactionKind
from ..posts.presenters import present_comment
from ..posts.repository import ReactionRepository
from ..posts.schemas import (
    AcknowledgementRead,
    AcknowledgementReport,
    CommentCreate,
    CommentList,
    CommentRead,
    CommentUpdate,
    ReactionCreate,
    ReactionSummary,
)
from . import comments, service

router = APIRouter(prefix="/v1/posts", tags=["posts"], route_class=UnitOfWorkRoute)

_WRITE = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)
_READ = problem_responses(401, 403, 404, 503)


@router.post(
    "/{post_id}/acknowledge",
    summary="Acknowledge an official post that asks for it (once)",
    status_code=201,
    response_model=AcknowledgementRead,
    responses=_WRITE,
)
def acknowledge_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> AcknowledgementRead:
    ack = service.acknowledge(session=session, gate=gate, user_id=user.subject, post_id=post_id)
    return AcknowledgementRead.model_validate(ack)


@router.get(
    "/{post_id}/acknowledgements",
    summary="Who acknowledged and who has not (the author and communications staff)",
    response_model=AcknowledgementReport,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def acknowledgement_report(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> AcknowledgementReport:
    status = service.acknowledgement_status(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    audience = len(status.audience)
    acknowledged = len(status.acknowledgements)
    return AcknowledgementReport(
        post_id=status.post.id,
        audience=audience,
        acknowledged=acknowledged,
        pending=len(status.pending),
        rate=round(acknowledged / audience, 4) if audience else None,
        acknowledged_by=[]
        if status.names_withheld
        else [AcknowledgementRead.model_validate(a) for a in status.acknowledgements],
        pending_subjects=[] if status.names_withheld else status.pending,
        names_withheld=status.names_withheld,
    )


@router.post(
    "/{post_id}/comments",
    summary="Comment, reply once, or (spokespeople) answer officially",
    status_code=201,
    response_model=CommentRead,
    responses=_WRITE,
)
def create_comment(
    post_id: str,
    body: CommentCreate,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> CommentRead:
    comment = comments.add_comment(
        session=session, gate=gate, author_id=user.subject, post_id=post_id, request=body
    )
    response.headers["Location"] = f"/v1/posts/{post_id}/comments/{comment.id}"
    return CommentRead.model_validate(comment)  # written under the current revision


@router.get(
    "/{post_id}/comments",
    summary="The comments the caller may read",
    response_model=CommentList,
    responses=_READ,
)
def list_comments(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> CommentList:
    post, readable = comments.list_comments(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    return CommentList(items=[present_comment(c, post) for c in readable])


@router.patch(
    "/{post_id}/comments/{comment_id}",
    summary="Edit one's own comment (history kept)",
    response_model=CommentRead,
    responses=_WRITE,
)
def edit_comment(
    post_id: str,
    comment_id: str,
    body: CommentUpdate,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> CommentRead:
    comment = comments.edit_comment(
        session=session,
        gate=gate,
        editor=user.subject,
        post_id=post_id,
        comment_id=comment_id,
        request=body,
    )
    return present_comment(comment, find_post(session, post_id))


@router.delete(
    "/{post_id}/comments/{comment_id}",
    summary="Delete one's own comment",
    status_code=204,
    responses=_WRITE,
)
def delete_comment(
    post_id: str, comment_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> Response:
    comments.delete_comment(
        session=session, gate=gate, author_id=user.subject, post_id=post_id, comment_id=comment_id
    )
    return Response(status_code=204)


@router.post(
    "/{post_id}/reactions",
    summary="React (one of each kind per user)",
    status_code=201,
    response_model=ReactionSummary,
    responses=_WRITE,
)
def add_reaction(
    post_id: str, body: ReactionCreate, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> ReactionSummary:
    post = service.react(
        session=session, gate=gate, user_id=user.subject, post_id=post_id, kind=body.kind
    )
    return _reactions(session, post.id, user.subject)


@router.delete(
    "/{post_id}/reactions/{kind}",
    summary="Take one's reaction back",
    response_model=ReactionSummary,
    responses=_WRITE,
)
def remove_reaction(
    post_id: str, kind: ReactionKind, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> ReactionSummary:
    service.unreact(session=session, gate=gate, user_id=user.subject, post_id=post_id, kind=kind)
    return _reactions(session, post_id, user.subject)


def _reactions(session: Session, post_id: str, user_id: str) -> ReactionSummary:
    reactions = ReactionRepository(session)
    return ReactionSummary(
        post_id=post_id,
        counts=reactions.counts([post_id]).get(post_id, {}),
        mine=reactions.kinds_of(post_id, user_id),
    )
