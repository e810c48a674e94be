"""`POST /v1/directory/names`: display names for what a page shows (any signed-in user)."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.policy import Names, NamesRequest
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.names.service import names_of

router = APIRouter(prefix="/v1/directory", tags=["directory"])


@router.post(
    "/names",
    response_model=Names,
    summary="Display names of users and groups, and each group's reach",
    responses=problem_responses(401, 403, 422, 503),
)
def post_names(
    body: NamesRequest, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> Names:
    """Unknown and inactive ids are left out of the answer rather than refused."""
    return names_of(session, policy.refresh_if_stale(), body.ids)
