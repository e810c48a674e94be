"""`GET /v1/revision`."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.policy import Revision
from townhall_platform.app import AnyCaller
from townhall_platform.errors import problem_responses
from townhall_policy.deps import PolicyEngineDep

router = APIRouter(prefix="/v1/revision", tags=["revision"])


@router.get(
    "",
    response_model=Revision,
    summary="The current policy revision",
    responses=problem_responses(401, 503),
)
def get_revision(caller: AnyCaller, policy: PolicyEngineDep) -> Revision:
    """Any valid token. Caches of decisions or principals older than this are stale."""
    snapshot = policy.refresh_if_stale()
    return Revision(
        policy_revision=snapshot.revision,
        details={
            "loaded_at": snapshot.loaded_at.isoformat(),
            "loaded_by": snapshot.loaded_by,
            "next_validity_boundary": snapshot.next_boundary.isoformat()
            if snapshot.next_boundary
            else None,
        },
    )
