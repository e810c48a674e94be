"""`GET /v1/directory/people`: the type-ahead behind `@mentions`, for any active person."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from townhall_contracts.people import PersonList
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_response, problem_responses
from townhall_policy.deps import SessionDep

from . import service
from .errors import TooManySearches
from .limiter import SearchLimiter

router = APIRouter(prefix="/v1/directory", tags=["directory"])


async def _limiter(request: Request) -> SearchLimiter:
    limiter: SearchLimiter = request.app.state.people_limiter
    return limiter


@router.get(
    "/people",
    response_model=PersonList,
    summary="Active people by the start of their id or of a word of their name (mentions)",
    responses=problem_responses(401, 403, 422, 429, 503),
)
def get_people(
    request: Request,
    caller: CurrentUser,
    limiter: Annotated[SearchLimiter, Depends(_limiter)],
    session: SessionDep,
    prefix: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> PersonList | Response:
    """Answers ids and display names only: enough to write a mention, nothing more."""
    wait = limiter.take(caller.subject)
    if wait > 0:
        refused = TooManySearches(
            "Searching the directory this often is refused: wait a moment.",
            retry_after_seconds=math.ceil(wait),
        )
        response = problem_response(refused, request)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    people = service.search_people(
        session=session, caller=caller.subject, prefix=prefix.strip(), limit=limit
    )
    return PersonList(people=people)
