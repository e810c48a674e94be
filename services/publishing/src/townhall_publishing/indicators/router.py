"""HTTP endpoint of the indicators."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from townhall_contracts.publishing.indicators import IndicatorChange, IndicatorsComparison
from townhall_platform.app import CurrentUser
from townhall_platform.csv_export import csv_response
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_platform.params import AwareInstant

from ..database import utcnow
from ..deps import PolicyGateDep, SessionDep
from ..posts.views import ViewsDep
from . import comparison, service
from .schemas import Indicators

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])

_MAX_PERIOD = timedelta(days=731)


def period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """[since, until) with its defaults (the last 30 days), refused when empty or too long."""
    end = until or utcnow()
    start = since or end - timedelta(days=30)
    if start >= end:
        raise ValidationFailed("`since` must be before `until`.")
    if end - start > _MAX_PERIOD:
        raise ValidationFailed("The period is limited to two years.")
    return start, end


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
    start, end = period(since, until)
    return service.compute(
        session=session,
        gate=gate,
        subject=user.subject,
        space_id=space_id,
        since=start,
        until=end,
        pending_views=views.pending(),
    )


@router.get(
    "/comparison",
    summary="The indicators over a period against the period of the same length before it "
    "(JSON, or one CSV line per indicator)",
    response_model=IndicatorsComparison,
    responses={**problem_responses(401, 403, 404, 422, 503), 200: {"content": {"text/csv": {}}}},
)
def indicators_comparison(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    views: ViewsDep,
    space_id: Annotated[str | None, Query(max_length=63)] = None,
    since: Annotated[AwareInstant | None, Query(description="Start (default: 30 days ago)")] = None,
    until: Annotated[AwareInstant | None, Query(description="End, excluded (default: now)")] = None,
    export: Annotated[
        Literal["json", "csv"], Query(alias="format", description="csv: one line per indicator")
    ] = "json",
) -> IndicatorsComparison | Response:
    start, end = period(since, until)
    answer = comparison.compare(
        session=session,
        gate=gate,
        subject=user.subject,
        space_id=space_id,
        since=start,
        until=end,
        pending_views=views.pending(),
    )
    if export == "csv":
        return csv_response(answer.changes, schema=IndicatorChange, name="indicators-comparison")
    return answer
