"""`POST /internal/v1/audiences` and `GET /internal/v1/groups` (service tokens only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from townhall_contracts.policy import Audience, AudienceRequest, GroupList, GroupType
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses
from townhall_policy.audiences.service import audience_of, groups_of_type
from townhall_policy.deps import PolicyEngineDep, SessionDep

router = APIRouter(prefix="/internal/v1", tags=["internal"])


@router.post(
    "/audiences",
    response_model=Audience,
    summary="The active users holding any of the given reader principals (service tokens only)",
    responses=problem_responses(401, 403, 413, 422, 503),
)
def post_audience(
    body: AudienceRequest, caller: CurrentService, policy: PolicyEngineDep
) -> Audience:
    """Answered at the latest revision. A principal naming nothing that exists adds nobody."""
    return audience_of(policy.refresh_if_stale(), body.principals)


@router.get(
    "/groups",
    response_model=GroupList,
    summary="The active directory groups, of one type if given (service tokens only)",
    responses=problem_responses(401, 403, 422, 503),
)
def get_groups(
    caller: CurrentService,
    session: SessionDep,
    group_type: Annotated[GroupType | None, Query(alias="type")] = None,
) -> GroupList:
    return groups_of_type(session, group_type)
