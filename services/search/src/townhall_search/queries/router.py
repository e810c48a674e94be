"""The public search endpoint."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from townhall_contracts.search import SearchResults
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import CursorsDep, IndexDep, PrincipalsDep, SettingsDep
from . import service

router = APIRouter(prefix="/v1", tags=["search"])

MAX_QUERY_CHARS = 1000


@router.get(
    "/search",
    summary="Search what the caller may read",
    description=(
        "Free text over titles and bodies, analyzed in French and English (accents "
        'optional, `"phrases"`, `+must`, `-exclude`); an empty `q` lists the newest '
        "readable documents. Results are filtered by the caller's principals inside the "
        "query, so `total`, `facets` and `highlights` only ever reflect readable documents. "
        "Highlights are HTML-escaped with matches in `<b>`. Pass `next_cursor` back as "
        "`cursor`, with the same query, for the next page."
    ),
    response_model=SearchResults,
    responses=problem_responses(400, 401, 403, 422, 503),
)
def search(
    caller: CurrentUser,
    index: IndexDep,
    principals: PrincipalsDep,
    cursors: CursorsDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Free text")] = "",
    kind: Annotated[Literal["social", "official"] | None, Query()] = None,
    space: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    author: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="From `next_cursor`")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    return service.search(
        index=index,
        principals=principals,
        cursors=cursors,
        request=service.SearchRequest(
            subject=caller.subject,
            text=q,
            kind=kind,
            space_id=space,
            author_id=author,
            cursor=cursor,
            limit=limit,
        ),
        max_result_window=settings.max_result_window,
    )
