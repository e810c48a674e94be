"""`POST /v1/directory/names`: display names for what a page shows; `GET /v1/directory/groups`:
the groups an audience is chosen from, with their reach (any signed-in user, both)."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.policy import Names, NamesRequest
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.names.service import groups_named, names_of

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


@router.get(
    "/groups",
    response_model=Names,
    summary="Every active group with its display name and reach (the audience picker)",
    responses=problem_responses(401, 403, 503),
)
def get_groups(caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep) -> Names:
    """Group names and sizes are what the company directory shows everyone."""
    return groups_named(session, policy.refresh_if_stale())
