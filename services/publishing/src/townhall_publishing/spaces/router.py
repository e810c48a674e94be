"""HTTP endpoints of spaces."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, UnitOfWorkRoute
from . import membership, service
from .models import Space
from .schemas import MemberAdd, MemberAdded, SpaceCreate, SpaceList, SpaceRead, SpaceUpdate

router = APIRouter(prefix="/v1/spaces", tags=["spaces"], route_class=UnitOfWorkRoute)


async def _follow(request: Request) -> service.VisibilityFollower:
    follow: service.VisibilityFollower = request.app.state.space_visibility_follower
    return follow


VisibilityFollowerDep = Annotated[service.VisibilityFollower, Depends(_follow)]


@router.get(
    "",
    summary="Spaces the caller may see",
    response_model=SpaceList,
    responses=problem_responses(401, 403, 503),
)
def list_spaces(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    include_archived: bool = False,
) -> SpaceList:
    spaces = service.list_visible_spaces(
        session=session, gate=gate, subject=user.subject, include_archived=include_archived
    )
    return SpaceList(
        items=membership.standings(session=session, gate=gate, subject=user.subject, spaces=spaces)
    )


@router.get(
    "/{space_id}",
    summary="One space (a restricted space the caller is not in is not found)",
    response_model=SpaceRead,
    responses=problem_responses(401, 403, 404, 503),
)
def get_space(
    space_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> SpaceRead:
    space = service.get_visible_space(
        session=session, gate=gate, subject=user.subject, space_id=space_id
    )
    [read] = membership.standings(session=session, gate=gate, subject=user.subject, spaces=[space])
    return read


@router.post(
    "",
    summary="Create a space; the creator becomes its owner",
    status_code=201,
    response_model=SpaceRead,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 503),
)
def create_space(
    body: SpaceCreate,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
) -> SpaceRead:
    space = service.create_space(session=session, gate=gate, creator=user.subject, request=body)
    response.headers["Location"] = f"/v1/spaces/{space.id}"
    return SpaceRead.model_validate(space)


@router.patch(
    "/{space_id}",
    summary="Rename, describe or change the visibility of a space (owners)",
    response_model=SpaceRead,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def update_space(
    space_id: str,
    body: SpaceUpdate,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    follow: VisibilityFollowerDep,
) -> SpaceRead:
    space = service.update_space(
        session=session,
        gate=gate,
        actor=user.subject,
        space_id=space_id,
        request=body,
        follow=follow,
    )
    return SpaceRead.model_validate(space)


@router.post(
    "/{space_id}/archive",
    summary="Archive a space (owners): readable, but no new posts or comments",
    response_model=SpaceRead,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def archive_space(
    space_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> SpaceRead:
    space = service.archive_space(session=session, gate=gate, actor=user.subject, space_id=space_id)
    return SpaceRead.model_validate(space)


@router.post(
    "/{space_id}/members",
    summary="Grant a space role (owners), through policy",
    status_code=201,
    response_model=MemberAdded,
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def add_member(
    space_id: str, body: MemberAdd, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> MemberAdded:
    space = service.add_member(
        session=session, gate=gate, actor=user.subject, space_id=space_id, request=body
    )
    return MemberAdded(
        space_id=space.id, subject=body.subject, role=body.role, granted_by=user.subject
    )


def _standing(
    session: SessionDep, gate: PolicyGateDep, subject: str, space: Space, **known: bool
) -> SpaceRead:
    """The space with the caller's standing, `known` parts as the change just made them
    (policy's answers may trail a grant by a revision)."""
    [read] = membership.standings(session=session, gate=gate, subject=subject, spaces=[space])
    return read.model_copy(update=known)


@router.put(
    "/{space_id}/membership",
    summary="Join a public community (who may take part in it; through policy)",
    response_model=SpaceRead,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def join_space(
    space_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> SpaceRead:
    space = membership.join_space(
        session=session, gate=gate, subject=user.subject, space_id=space_id
    )
    return _standing(session, gate, user.subject, space, member=True)


@router.delete(
    "/{space_id}/membership",
    summary="Leave a public community one joined (through policy)",
    response_model=SpaceRead,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def leave_space(
    space_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> SpaceRead:
    space = membership.leave_space(
        session=session, gate=gate, subject=user.subject, space_id=space_id
    )
    return _standing(session, gate, user.subject, space, member=False)


@router.put(
    "/{space_id}/follow",
    summary="Follow a space one may read (following twice changes nothing)",
    response_model=SpaceRead,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def follow_space(
    space_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> SpaceRead:
    space = membership.follow_space(
        session=session, gate=gate, subject=user.subject, space_id=space_id
    )
    return _standing(session, gate, user.subject, space, following=True)


@router.delete(
    "/{space_id}/follow",
    summary="Stop following a space (not following already changes nothing)",
    response_model=SpaceRead,
    responses=problem_responses(401, 403, 404, 503),
)
def unfollow_space(
    space_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> SpaceRead:
    space = membership.unfollow_space(
        session=session, gate=gate, subject=user.subject, space_id=space_id
    )
    return _standing(session, gate, user.subject, space, following=False)
