"""Applying publishing's index events: validated as a whole, then applied in order."""

from __future__ import annotations

from townhall_contracts.search import IndexBatch, IndexBatchResult, IndexOperation

from ..index import IndexBackend
from .errors import InvalidIndexEvent

_MAX_REPORTED = 20


def apply_batch(*, index: IndexBackend, batch: IndexBatch) -> IndexBatchResult:
    """Check every event, then apply them all; stale versions count as skipped."""
    problems = _problems(batch)
    if problems:
        # Refused before anything is written: a batch never applies halfway.
        shown = problems[:_MAX_REPORTED]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise InvalidIndexEvent(
            "; ".join(message for _, message in shown) + more,
            errors=[{"event_id": event_id, "message": message} for event_id, message in shown],
        )
    outcome = index.apply(batch.events)
    return IndexBatchResult(
        applied=outcome.applied,
        skipped=outcome.skipped,
        last_event_id=max(event.event_id for event in batch.events),
    )


def _problems(batch: IndexBatch) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    for event in batch.events:
        if event.op is IndexOperation.UPSERT:
            if event.document is None:
                problems.append(
                    (event.event_id, f"event {event.event_id}: upsert needs a document")
                )
            elif event.document.id != event.doc_id:
                problems.append(
                    (
                        event.event_id,
                        f"event {event.event_id}: document id {event.document.id!r} "
                        f"differs from doc_id {event.doc_id!r}",
                    )
                )
    return problems
