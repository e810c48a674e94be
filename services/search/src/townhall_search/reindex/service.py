"""A rebuild: a new index filled from publishing's export, then an atomic switch.

While it runs, searches keep reading the live index and the relay's events reach
both indexes (the backend sees to it), so an event that arrives after its document
was exported is not lost, and versions keep an older export from overwriting it.
On any failure the new index is dropped and the live one stays as it was.

The exported documents become events checked and built into index documents exactly
as the relay's live events are (`documents.service.check_events`, then the backend),
so their readers are the ones publishing computed with the shared readers rule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count

import structlog

from townhall_contracts.search import DocumentExportPage, IndexEvent, IndexOperation

from ..documents.service import check_events
from ..index import IndexBackend, RebuildInProgress
from .errors import ReindexAlreadyRunning, ReindexCannotStart
from .schemas import ReindexState, ReindexStatus

log = structlog.get_logger("townhall.search.reindex")

ExportSource = Callable[[str | None, int], DocumentExportPage]
# The last event publishing delivered to search, read before the export starts: every
# change up to it is in the export, so the new index holds events through it.
DeliveredWatermark = Callable[[], int]


class Reindexer:
    """Runs one rebuild at a time in a background thread and reports its progress."""

    def __init__(
        self,
        *,
        index: IndexBackend,
        source: ExportSource,
        page_size: int,
        delivered: DeliveredWatermark | None = None,
    ) -> None:
        self._index = index
        self._source = source
        self._page_size = page_size
        self._delivered = delivered
        self._lock = threading.Lock()
        self._status = ReindexStatus(state=ReindexState.IDLE, backend=index.name)
        self._thread: threading.Thread | None = None

    def status(self) -> ReindexStatus:
        """A copy of the current progress."""
        with self._lock:
            return self._status.model_copy()

    def start(self, reason: str = "requested") -> ReindexStatus:
        """Start a rebuild in the background; `ReindexAlreadyRunning` if one runs here
        or, on OpenSearch, on another instance."""
        with self._lock:
            if self._status.state is ReindexState.RUNNING:
                raise ReindexAlreadyRunning("A reindex is already running; follow its progress.")
            try:
                # Taken here, not in the thread, so a refusal is the caller's answer.
                self._index.start_rebuild()
            except RebuildInProgress as exc:
                raise ReindexAlreadyRunning(f"A reindex is already running: {exc}.") from exc
            except Exception as exc:
                log.exception("reindex_start_failed")
                raise ReindexCannotStart(
                    f"The new index could not be created: {exc}"[:300]
                ) from exc
            self._status = ReindexStatus(
                state=ReindexState.RUNNING,
                backend=self._index.name,
                started_at=_now(),
                reason=reason,
            )
            self._thread = threading.Thread(target=self._fill, name="reindex", daemon=True)
            self._thread.start()
            return self._status.model_copy()

    def wait(self, timeout: float | None = None) -> ReindexStatus:
        """Wait for the background rebuild to end (tests and the CLI)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _fill(self) -> None:
        """The rebuild after its start: the export loaded, then the switch."""
        try:
            watermark = self._delivered_watermark()
            event_ids = count(1)
            after: str | None = None
            while True:
                page = self._source(after, self._page_size)
                events = [
                    IndexEvent(
                        event_id=next(event_ids),
                        op=IndexOperation.UPSERT,
                        doc_id=exported.document.id,
                        version=exported.version,
                        document=exported.document,
                    )
                    for exported in page.documents
                ]
                if events:
                    check_events(events)
                    self._index.load_rebuild(events)
                with self._lock:
                    self._status.processed += len(events)
                    self._status.total = max(page.total, self._status.processed)
                    processed, total = self._status.processed, self._status.total
                log.info("reindex_progress", processed=processed, total=total)
                if page.next_after is None:
                    break
                after = page.next_after
            self._index.finish_rebuild(watermark=watermark, documents=processed)
        except Exception as exc:
            log.exception("reindex_failed")
            self._index.abort_rebuild()
            with self._lock:
                self._status.state = ReindexState.FAILED
                self._status.error = str(exc) or type(exc).__name__
                self._status.finished_at = _now()
            return
        with self._lock:
            self._status.state = ReindexState.SUCCEEDED
            self._status.finished_at = _now()
        log.info("reindex_succeeded", documents=self._status.processed)

    def _delivered_watermark(self) -> int:
        if self._delivered is None:
            return 0
        try:
            return self._delivered()
        except Exception as exc:
            # The rebuild is still whole; only the check against publishing must wait
            # until publishing can say what it delivered.
            log.warning("reindex_watermark_unknown", error=str(exc)[:300])
            return 0


def _now() -> datetime:
    return datetime.now(UTC)
