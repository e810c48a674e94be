"""`GET /internal/v1/export/documents`: the source of a full search rebuild."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from townhall_contracts.search import DocumentExportPage
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses

from ..deps import SessionDep, UnitOfWorkRoute
from . import service

router = APIRouter(prefix="/internal/v1/export", tags=["internal"], route_class=UnitOfWorkRoute)


@router.get(
    "/documents",
    summary="Every post and comment as a search document, with its version (service tokens)",
    description=(
        "Pages in a stable order (posts by id, then comments by id); pass `next_after` "
        "back as `after`. Readers follow the shared readers rule for the current state; "
        "a document without readers is one search must keep only as a tombstone."
    ),
    response_model=DocumentExportPage,
    responses=problem_responses(400, 401, 403, 422),
)
def export_documents(
    caller: CurrentService,
    session: SessionDep,
    after: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> DocumentExportPage:
    return service.export_documents(session=session, after=after, limit=limit)
