"""Applying publishing's index events: validated as a whole, then applied in order.

The live path (the bulk endpoint the relay delivers to) and a full rebuild (the
reindexer loading publishing's export) both go through `check_events` and then the
backend's one document builder, so a document gets the same readers either way: the
readers publishing computed with the shared readers rule, a tombstone when there are
none.
"""

from __future__ import annotations

from collections.abc import Sequence

from townhall_contracts.search import IndexBatch, IndexBatchResult, IndexEvent, IndexOperation

from ..index import IndexBackend
from .errors import InvalidIndexEvent

_MAX_REPORTED = 20


def apply_batch(*, index: IndexBackend, batch: IndexBatch) -> IndexBatchResult:
    """Check every event, then apply them all; stale versions count as skipped."""
    check_events(batch.events)
    outcome = index.apply(batch.events)
    return IndexBatchResult(
        applied=outcome.applied,
        skipped=outcome.skipped,
        last_event_id=max(event.event_id for event in batch.events),
    )


def check_events(events: Sequence[IndexEvent]) -> None:
    """`InvalidIndexEvent` naming the inconsistent events, before anything is written:
    a batch never applies halfway."""
    problems = _problems(events)
    if problems:
        shown = problems[:_MAX_REPORTED]
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        raise InvalidIndexEvent(
            "; ".join(message for _, message in shown) + more,
            errors=[{"event_id": event_id, "message": message} for event_id, message in shown],
        )


def _problems(events: Sequence[IndexEvent]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    for event in events:
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
