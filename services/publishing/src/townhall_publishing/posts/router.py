"""HTTP endpoints of posts: social and official, their workflow, comments, reactions,
acknowledgements, reports and moderation."""

from __future__ import annotations

from fastapi import APIRouter, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import (
    PolicyGateDep,
    PostingDep,
    SessionDep,
    UnitOfWorkRoute,
    ViewsDep,
)
from ..engagement import service as engagement
from ..engagement.models import ReactionKind
from ..moderation import service as moderation
from ..moderation.schemas import ModerationActionRead, ReportRead
from ..workflow import service as workflow
from . import service
from .presenters import present_comment, present_new_post, present_post, present_steps
from .repository import PostRepository
from .schemas import (
    AcknowledgementRead,
    AcknowledgementReport,
    CommentCreate,
    CommentList,
    CommentRead,
    CommentUpdate,
    ModerationRequest,
    PostCreate,
    PostHistory,
    PostRead,
    PostUpdate,
    PublishRequest,
    ReactionCreate,
    ReactionSummary,
    ReasonRequest,
    RejectRequest,
    ReportCreate,
    SubmitRequest,
    VersionList,
    VersionRead,
    VouchRequest,
)

router = APIRouter(prefix="/v1/posts", tags=["posts"], route_class=UnitOfWorkRoute)

_WRITE = problem_responses(400, 401, 403, 404, 409, 413, 422, 503)
_READ = problem_responses(401, 403, 404, 503)


@router.post(
    "",
    summary="Create a post: social (published at once) or official (a draft)",
    status_code=201,
    response_model=PostRead,
    responses=_WRITE,
)
async def create_post(body: PostCreate, user: CurrentUser, posting: PostingDep) -> Response:
    # Read, decide and render first; then the inserts, in a group with other new posts.
    new = await posting.writer(
        lambda session: service.prepare_post(
            session=session,
            gate=posting.gate,
            author_id=user.subject,
            request=body,
            spaces=posting.spaces,
        )
    )
    # Serialised here, once: `response_model` (kept for the schema) would validate it again.
    return Response(
        present_new_post(new).model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/v1/posts/{new.id}"},
    )


@router.get(
    "/{post_id}",
    summary="One post, if the caller may read it (otherwise not found)",
    response_model=PostRead,
    responses=_READ,
)
def get_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep, views: ViewsDep
) -> PostRead:
    post = service.get_readable_post(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    views.record(post, user.subject)
    return present_post(session, post, reader=user.subject)


@router.patch(
    "/{post_id}",
    summary="Edit one's own post (history kept)",
    response_model=PostRead,
    responses=_WRITE,
)
def edit_post(
    post_id: str, body: PostUpdate, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.edit_post(
        session=session, gate=gate, editor=user.subject, post_id=post_id, request=body
    )
    return present_post(session, post)


@router.delete(
    "/{post_id}",
    summary="Delete one's own post (kept for audit, gone for readers)",
    status_code=204,
    responses=_WRITE,
)
def delete_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> Response:
    service.delete_post(session=session, gate=gate, author_id=user.subject, post_id=post_id)
    return Response(status_code=204)


@router.get(
    "/{post_id}/versions",
    summary="The post's earlier contents",
    response_model=VersionList,
    responses=_READ,
)
def post_versions(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> VersionList:
    post = service.get_readable_post(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    versions = PostRepository(session).versions(post.id)
    current = VersionRead(
        revision=post.revision,
        title=post.title,
        body=post.body,
        edited_by=post.author_id,
        edited_at=post.updated_at,
    )
    return VersionList(
        target_id=post.id,
        versions=[VersionRead.model_validate(v) for v in versions],
        current=current,
    )


@router.get(
    "/{post_id}/history",
    summary="Each step of the post with the policy decision that allowed it",
    response_model=PostHistory,
    responses=_READ,
)
def post_history(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostHistory:
    post = service.get_readable_post(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    steps = PostRepository(session).steps(post.id)
    return PostHistory(post_id=post.id, steps=present_steps(steps))


# The official workflow.


@router.post(
    "/{post_id}/submit",
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
    post = workflow.submit(
        session=session,
        gate=gate,
        actor=user.subject,
        post_id=post_id,
        publish_at=body.publish_at if body else None,
    )
    return present_post(session, post)


@router.post(
    "/{post_id}/approve",
    summary="Approve a submitted official post (not one's own)",
    response_model=PostRead,
    responses=_WRITE,
)
def approve_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = workflow.approve(session=session, gate=gate, actor=user.subject, post_id=post_id)
    return present_post(session, post)


@router.post(
    "/{post_id}/reject",
    summary="Reject a submitted official post with a reason (not one's own)",
    response_model=PostRead,
    responses=_WRITE,
)
def reject_post(
    post_id: str, body: RejectRequest, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = workflow.reject(
        session=session, gate=gate, actor=user.subject, post_id=post_id, reason=body.reason
    )
    return present_post(session, post)


@router.post(
    "/{post_id}/publish",
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
    post = workflow.publish(
        session=session,
        gate=gate,
        actor=user.subject,
        post_id=post_id,
        at=body.at if body else None,
    )
    return present_post(session, post)


@router.post(
    "/{post_id}/retract",
    summary="Retract a published or scheduled official post, with a reason",
    response_model=PostRead,
    responses=_WRITE,
)
def retract_post(
    post_id: str, body: ReasonRequest, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = workflow.retract(
        session=session, gate=gate, actor=user.subject, post_id=post_id, reason=body.reason
    )
    return present_post(session, post)


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
    ack = engagement.acknowledge(session=session, gate=gate, user_id=user.subject, post_id=post_id)
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
    status = engagement.acknowledgement_status(
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


# The official voice inside discussions.


@router.post(
    "/{post_id}/pin",
    summary="Pin a post in its space (the revision of its text read, if given)",
    response_model=PostRead,
    responses=_WRITE,
)
def pin_post(
    post_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    body: VouchRequest | None = None,
) -> PostRead:
    post = service.set_pinned(
        session=session,
        gate=gate,
        actor=user.subject,
        post_id=post_id,
        pinned=True,
        revision=body.revision if body else None,
    )
    return present_post(session, post)


@router.delete("/{post_id}/pin", summary="Unpin a post", response_model=PostRead, responses=_WRITE)
def unpin_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.set_pinned(
        session=session, gate=gate, actor=user.subject, post_id=post_id, pinned=False
    )
    return present_post(session, post)


@router.post(
    "/{post_id}/endorse",
    summary="Endorse a social post's current revision (it stays its author's)",
    response_model=PostRead,
    responses=_WRITE,
)
def endorse_post(
    post_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    body: VouchRequest | None = None,
) -> PostRead:
    post = service.set_endorsed(
        session=session,
        gate=gate,
        actor=user.subject,
        post_id=post_id,
        endorsed=True,
        revision=body.revision if body else None,
    )
    return present_post(session, post)


@router.delete(
    "/{post_id}/endorse",
    summary="Withdraw an endorsement",
    response_model=PostRead,
    responses=_WRITE,
)
def unendorse_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> PostRead:
    post = service.set_endorsed(
        session=session, gate=gate, actor=user.subject, post_id=post_id, endorsed=False
    )
    return present_post(session, post)


# Comments.


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
    comment = service.add_comment(
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
    post, comments = service.list_comments(
        session=session, gate=gate, subject=user.subject, post_id=post_id
    )
    return CommentList(items=[present_comment(c, post) for c in comments])


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
    comment = service.edit_comment(
        session=session,
        gate=gate,
        editor=user.subject,
        post_id=post_id,
        comment_id=comment_id,
        request=body,
    )
    return present_comment(comment, service.find_post(session, post_id))


@router.delete(
    "/{post_id}/comments/{comment_id}",
    summary="Delete one's own comment",
    status_code=204,
    responses=_WRITE,
)
def delete_comment(
    post_id: str, comment_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> Response:
    service.delete_comment(
        session=session, gate=gate, author_id=user.subject, post_id=post_id, comment_id=comment_id
    )
    return Response(status_code=204)


# Reactions.


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
    post = engagement.react(
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
    engagement.unreact(session=session, gate=gate, user_id=user.subject, post_id=post_id, kind=kind)
    return _reactions(session, post_id, user.subject)


def _reactions(session: SessionDep, post_id: str, user_id: str) -> ReactionSummary:
    counts = engagement.reaction_counts(session, [post_id]).get(post_id, {})
    return ReactionSummary(
        post_id=post_id, counts=counts, mine=engagement.my_reactions(session, post_id, user_id)
    )


# Reports and moderation.


@router.post(
    "/{post_id}/reports",
    summary="Report a post or one of its comments to moderators",
    status_code=201,
    response_model=ReportRead,
    responses=_WRITE,
)
def report_post(
    post_id: str, body: ReportCreate, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> ReportRead:
    entry = moderation.report(
        session=session,
        gate=gate,
        reporter=user.subject,
        post_id=post_id,
        reason=body.reason,
        comment_id=body.comment_id,
    )
    return ReportRead.model_validate(entry)


@router.post(
    "/{post_id}/hide",
    summary="Hide a post or comment (moderators), with a reason given to its author",
    response_model=ModerationActionRead,
    responses=_WRITE,
)
def hide_post(
    post_id: str,
    body: ModerationRequest,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> ModerationActionRead:
    action = moderation.hide(
        session=session,
        gate=gate,
        moderator=user.subject,
        post_id=post_id,
        comment_id=body.comment_id,
        reason=body.reason,
    )
    return ModerationActionRead.model_validate(action)


@router.post(
    "/{post_id}/restore",
    summary="Restore hidden content (moderators), with a reason",
    response_model=ModerationActionRead,
    responses=_WRITE,
)
def restore_post(
    post_id: str,
    body: ModerationRequest,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> ModerationActionRead:
    action = moderation.restore(
        session=session,
        gate=gate,
        moderator=user.subject,
        post_id=post_id,
        comment_id=body.comment_id,
        reason=body.reason,
    )
    return ModerationActionRead.model_validate(action)
