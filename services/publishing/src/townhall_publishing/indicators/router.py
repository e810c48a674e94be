"""HTTP endpoint of the indicators."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from townhall_platform.app import CurrentUser
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_platform.params import AwareInstant

from ..database import utcnow
from ..deps import PolicyGateDep, SessionDep
from ..posts.views import ViewsDep
from . import service
from .schemas import Indicators

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])

_MAX_PERIOD = timedelta(days=731)


@router.get(
    "",
    summary="Activity, reach, acknowledgement and replies over a period, per space or company-wide",
    response_model=Indicators,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def indicators(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    views: ViewsDep,
    space_id: Annotated[str | None, Query(max_length=63)] = None,
    since: Annotated[AwareInstant | None, Query(description="Start (default: 30 days ago)")] = None,
    until: Annotated[AwareInstant | None, Query(description="End, excluded (default: now)")] = None,
) -> Indicators:
    end = until or utcnow()
    start = since or end - timedelta(days=30)
    if start >= end:
        raise ValidationFailed("`since` must be before `until`.")
    if end - start > _MAX_PERIOD:
        raise ValidationFailed("The period is limited to two years.")
    return service.compute(
        session=session,
        gate=gate,
        subject=user.subject,
        space_id=space_id,
        since=start,
        until=end,
        pending_views=views.pending(),
    )
