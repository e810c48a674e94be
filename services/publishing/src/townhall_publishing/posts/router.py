"""HTTP endpoints of posts: create, read, edit, delete, their history, pin and endorse."""

from __future__ import annotations

from fastapi import APIRouter, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from . import service
from .access import get_readable_post
from .presenters import present_new_post, present_post, present_steps
from .repository import PostRepository
from .schemas import (
    PostCreate,
    PostHistory,
    PostRead,
    PostUpdate,
    VersionList,
    VersionRead,
    VouchRequest,
)
from .views import ViewsDep

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
def create_post(
    body: PostCreate, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> Response:
    post = service.create_post(session=session, gate=gate, author_id=user.subject, request=body)
    # Serialised here, once: `response_model` only documents the answer.
    return Response(
        present_new_post(post).model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/v1/posts/{post.id}"},
    )


@router.get(
    "/{post_id}",
    summary="One post, if the caller may read it (otherwise not found)",
    response_model=PostRead,
    responses=_READ,
)
def get_post(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep, views: ViewsDep
) -> Response:
    post = get_readable_post(session=session, gate=gate, subject=user.subject, post_id=post_id)
    views.record(post, user.subject)
    # Serialised here, in the endpoint's thread: a returned model would cost FastAPI a
    # second thread-pool hop to validate it again against `response_model`.
    answer = present_post(session, post, reader=user.subject)
    return Response(answer.model_dump_json(), media_type="application/json")


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
    post = get_readable_post(session=session, gate=gate, subject=user.subject, post_id=post_id)
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
    post = get_readable_post(session=session, gate=gate, subject=user.subject, post_id=post_id)
    steps = PostRepository(session).steps(post.id)
    return PostHistory(post_id=post.id, steps=present_steps(steps))


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
