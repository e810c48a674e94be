"""HTTP endpoints of spaces."""

from __future__ import annotations

from fastapi import APIRouter, Response

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep
from . import service
from .schemas import SpaceCreate, SpaceList, SpaceRead

router = APIRouter(prefix="/v1/spaces", tags=["spaces"])


@router.get(
    "",
    summary="Spaces the caller may see",
    response_model=SpaceList,
    responses=problem_responses(401, 403, 503),
)
def list_spaces(user: CurrentUser, session: SessionDep, gate: PolicyGateDep) -> SpaceList:
    spaces = service.list_visible_spaces(session=session, gate=gate, subject=user.subject)
    return SpaceList(items=[SpaceRead.model_validate(space) for space in spaces])


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
    return SpaceRead.model_validate(space)


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
