"""`/v1/suspensions`: deny rules that override every allow while in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from townhall_contracts.policy import ORG_DOMAIN, Action
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_platform.params import Instant, NonNegativeInt
from townhall_policy.decisions.service import require_any
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.grants.schemas import Revocation
from townhall_policy.suspensions import service
from townhall_policy.suspensions.schemas import SuspensionCreate, SuspensionList, SuspensionRead
from townhall_policy.timestamps import as_utc, utcnow

router = APIRouter(prefix="/v1/suspensions", tags=["suspensions"])


@router.get(
    "",
    response_model=SuspensionList,
    summary="Suspensions, current and past (compliance officers and policy admins)",
    responses=problem_responses(401, 403, 422, 503),
)
def get_suspensions(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    subject: Annotated[str | None, Query(max_length=128)] = None,
    domain: Annotated[str | None, Query(max_length=80)] = None,
    active_at: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[NonNegativeInt, Query()] = 0,
) -> SuspensionList:
    """Needs `audit.read` or `grants.manage` in `org`."""
    require_any(
        policy.refresh_if_stale(),
        subject=caller.subject,
        actions=[Action.AUDIT_READ, Action.GRANTS_MANAGE],
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )
    now = utcnow()
    rows = service.list_suspensions(
        session,
        subject_id=subject,
        domain=domain,
        active_at=as_utc(active_at) if active_at else None,
        limit=limit,
        offset=offset,
    )
    return SuspensionList(suspensions=[SuspensionRead.of(s, now=now) for s in rows])


@router.post(
    "",
    response_model=SuspensionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Suspend a user (deny overrides allow); policy admins, or moderators of the space",
    responses=problem_responses(400, 401, 403, 409, 413, 422, 503),
)
def post_suspension(
    body: SuspensionCreate, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> SuspensionRead:
    """Takes effect at `valid_from` (now by default) and ends at `valid_to` or when lifted."""
    service.authorize_suspension(
        policy.refresh_if_stale(), actor=caller.subject, domain=body.domain
    )
    suspension = service.suspend(
        session,
        subject_id=body.subject,
        domain=body.domain,
        action=body.action.value if body.action else None,
        created_by=caller.subject,
        justification=body.justification,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )
    return SuspensionRead.of(suspension, now=utcnow())


@router.delete(
    "/{suspension_id}",
    response_model=SuspensionRead,
    summary="Lift a suspension; its history is kept",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def delete_suspension(
    suspension_id: Annotated[str, Path(max_length=36)],
    body: Revocation,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> SuspensionRead:
    """Body `{"justification": ...}`."""
    suspension = service.get_suspension(session, suspension_id)
    service.authorize_suspension(
        policy.refresh_if_stale(), actor=caller.subject, domain=suspension.domain
    )
    lifted = service.lift(
        session,
        suspension_id=suspension_id,
        lifted_by=caller.subject,
        justification=body.justification,
    )
    return SuspensionRead.of(lifted, now=utcnow())
