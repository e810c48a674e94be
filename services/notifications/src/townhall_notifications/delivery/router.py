"""`POST /v1/events`: publishing's events handed over HTTP (service tokens only).

The bus consumer (`bus.py`) calls the same `apply`; this endpoint lets a relay, a replay
tool or a test hand events in batches until every deployment runs the bus.
"""

from __future__ import annotations

from fastapi import APIRouter

from townhall_contracts.notifications import EventBatch, EventBatchResult
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses

from ..deps import ReachDep, SessionDep, SettingsDep
from ..preferences.deps import BookDep
from .service import apply

router = APIRouter(prefix="/v1/events", tags=["internal"])


@router.post(
    "",
    response_model=EventBatchResult,
    summary="Apply a batch of publishing's events, idempotently (service tokens only)",
    responses=problem_responses(401, 403, 413, 422, 503),
)
def post_events(
    batch: EventBatch,
    caller: CurrentService,
    session: SessionDep,
    reach: ReachDep,
    book: BookDep,
    settings: SettingsDep,
) -> EventBatchResult:
    """All or nothing: one transaction for the batch; a replayed event counts as duplicate."""
    applied = duplicates = notifications = 0
    for event in batch.events:
        outcome = apply(session, event, reach=reach, book=book, portal_url=settings.portal_url)
        duplicates += outcome.duplicate
        applied += not outcome.duplicate
        notifications += outcome.notifications
    return EventBatchResult(applied=applied, duplicates=duplicates, notifications=notifications)
