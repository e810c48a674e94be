"""`GET /v1/subjects/{id}/principals` (service tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from townhall_contracts.policy import Principals
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses
from townhall_policy.deps import PolicyEngineDep
from townhall_policy.principals.service import principals_of

router = APIRouter(prefix="/v1/subjects", tags=["principals"])


@router.get(
    "/{subject_id}/principals",
    response_model=Principals,
    summary="A subject's principals for the readers rule (service tokens only)",
    responses=problem_responses(401, 403, 404, 503),
)
def get_principals(
    subject_id: Annotated[str, Path(min_length=1, max_length=128)],
    caller: CurrentService,
    policy: PolicyEngineDep,
) -> Principals:
    """Answered at the latest revision, so a cache keyed by revision is never stale."""
    return principals_of(policy.refresh_if_stale(), subject_id)
