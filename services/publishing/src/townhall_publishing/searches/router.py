"""Search queries: reported by the search service (service tokens), read as the
search-success indicator (`GET /v1/indicators/searches`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from townhall_contracts.publishing.searches import SearchRecorded, SearchSuccess
from townhall_platform.app import CurrentService, CurrentUser
from townhall_platform.errors import problem_responses
from townhall_platform.params import AwareInstant

from ..database import utcnow
from ..deps import PolicyGateDep, SessionDep, SettingsDep
from ..indicators.router import period
from . import service

router = APIRouter(tags=["searches"])


@router.post(
    "/internal/v1/searches",
    summary="Keep one search: its words and how many results, never who searched (service tokens)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 422),
)
def record_search(caller: CurrentService, session: SessionDep, body: SearchRecorded) -> None:
    service.record(session=session, event=body)


@router.post(
    "/internal/v1/searches/{search_id}/opened",
    summary="Note that a result of a search was opened (service tokens)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
def search_opened(caller: CurrentService, session: SessionDep, search_id: str) -> None:
    service.opened(session=session, search_id=search_id, now=utcnow())


@router.get(
    "/v1/indicators/searches",
    summary="Search success: searches followed by opening a result, queries without results",
    description=(
        "Over [`since`, `until`) (default: the last 30 days). `success` is `opened` / "
        "`searches`, none under the privacy floor of searches; `missed` lists the queries "
        "that found nothing, most frequent first, only those asked at least `missed_floor` "
        "times. No user is named anywhere: search reports its queries without who asked."
    ),
    response_model=SearchSuccess,
    responses=problem_responses(401, 403, 422, 503),
)
def search_success(
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
    since: Annotated[AwareInstant | None, Query(description="Start (default: 30 days ago)")] = None,
    until: Annotated[AwareInstant | None, Query(description="End, excluded (default: now)")] = None,
) -> SearchSuccess:
    start, end = period(since, until)
    return service.success(
        session=session,
        gate=gate,
        subject=user.subject,
        since=start,
        until=end,
        floor=settings.objectives_privacy_floor,
    )
