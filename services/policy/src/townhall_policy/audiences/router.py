"""`POST /internal/v1/audiences` (service tokens only)."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.policy import Audience, AudienceRequest
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses
from townhall_policy.audiences.service import audience_of
from townhall_policy.deps import PolicyEngineDep

router = APIRouter(prefix="/internal/v1/audiences", tags=["internal"])


@router.post(
    "",
    response_model=Audience,
    summary="The active users holding any of the given reader principals (service tokens only)",
    responses=problem_responses(401, 403, 413, 422, 503),
)
def post_audience(
    body: AudienceRequest, caller: CurrentService, policy: PolicyEngineDep
) -> Audience:
    """Answered at the latest revision. A principal naming nothing that exists adds nobody."""
    return audience_of(policy.refresh_if_stale(), body.principals)
