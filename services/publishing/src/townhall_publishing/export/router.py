"""`GET /internal/v1/export/documents`: the source of a full search rebuild."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from townhall_contracts.search import DocumentExportPage, ExportSummary
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses

from ..deps import SessionDep
from . import service

router = APIRouter(prefix="/internal/v1/export", tags=["internal"])


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


@router.get(
    "/summary",
    summary="What search's index must hold, by the outbox (service tokens)",
    description=(
        "`delivered_through`: the last event search acknowledged (events go out in id "
        "order). With `through`, `documents_through`: how many documents (tombstones "
        "included) the events up to that id name. Search compares them with the event "
        "watermark and the document count of its index to notice a lost or damaged one."
    ),
    response_model=ExportSummary,
    responses=problem_responses(401, 403, 422),
)
def export_summary(
    caller: CurrentService,
    session: SessionDep,
    through: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> ExportSummary:
    return service.export_summary(session=session, through=through)
