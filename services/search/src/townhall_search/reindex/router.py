"""The admin endpoints of a rebuild (service tokens: the operator CLI, other services)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses

from .schemas import ReindexStatus
from .service import Reindexer

router = APIRouter(prefix="/internal/v1/index/reindex", tags=["index (internal)"])


def _reindexer(request: Request) -> Reindexer:
    reindexer: Reindexer = request.app.state.reindexer
    return reindexer


@router.post(
    "",
    summary="Rebuild the index from publishing, then switch atomically",
    description=(
        "Starts a rebuild in the background and answers 202 with its status. Searches keep "
        "answering from the live index until the new one is complete, then the switch is "
        "atomic (a directory pointer on tantivy, an alias on OpenSearch). 409 while a "
        "rebuild runs. Follow the progress with `GET`."
    ),
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReindexStatus,
    responses=problem_responses(401, 403, 409),
)
def start_reindex(caller: CurrentService, request: Request) -> ReindexStatus:
    return _reindexer(request).start()


@router.get(
    "",
    summary="Progress of the current or last rebuild",
    response_model=ReindexStatus,
    responses=problem_responses(401, 403),
)
def reindex_status(caller: CurrentService, request: Request) -> ReindexStatus:
    return _reindexer(request).status()
