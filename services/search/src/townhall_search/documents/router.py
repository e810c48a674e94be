"""The internal bulk endpoint publishing's relay delivers index events to."""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.search import IndexBatch, IndexBatchResult
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses

from ..deps import IndexDep
from . import service

router = APIRouter(prefix="/internal/v1/index", tags=["index (internal)"])


@router.post(
    "/bulk",
    summary="Apply index events (service tokens only)",
    description=(
        "Applies events in order. An event whose version is not newer than the stored "
        "version of its document is skipped, so duplicated and out-of-order deliveries are "
        "harmless. A `delete` (or an upsert with no readers) leaves a tombstone that keeps "
        "the version and never matches a search. The batch is committed, and searchable, "
        "before the answer; `last_event_id` acknowledges the whole batch."
    ),
    response_model=IndexBatchResult,
    responses=problem_responses(400, 401, 403, 413, 422),
)
def bulk_index(caller: CurrentService, batch: IndexBatch, index: IndexDep) -> IndexBatchResult:
    return service.apply_batch(index=index, batch=batch)
