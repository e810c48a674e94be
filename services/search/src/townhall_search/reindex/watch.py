"""The index checked against publishing, and rebuilt from it when they disagree.

Search's index is derived data: publishing's outbox says what it must hold. Publishing
delivers events in id order and marks them delivered once search has applied them, and
search keeps the last event id it applied (the watermark) in the index itself, committed
with each batch. So, in this order:

1. the live index could not be opened (a garbage `CURRENT`, a truncated segment):
   damaged;
2. publishing delivered events past the index's watermark (asked before the watermark
   is read, so a batch delivered meanwhile cannot look missing): acknowledged changes
   are gone, as when the index directory was emptied;
3. the watermark is past publishing's newest event: the index belongs to another
   database;
4. the events up to the watermark name more documents than the index holds (read
   together with the watermark): documents are gone.

Any of them takes the instance out of service (`/readyz` answers 503 with the reason
and the rebuild's progress) and starts a rebuild from publishing's export; the check
runs again as soon as the rebuild ends. The instance serves once the first check is
done. When publishing cannot be asked, an index that opened serves (unverified) and one
that did not stays out of service; the check is retried every `interval` seconds. The
thread survives any error of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from townhall_contracts.search import ExportSummary
from townhall_platform.workers import NotReady

from ..index import IndexBackend
from .errors import ReindexAlreadyRunning
from .schemas import ReindexState
from .service import Reindexer

# How soon a check that waits for the indexer looks again (it idles about every second).
_AWAITING_RECHECK_SECONDS = 1.0

log = structlog.get_logger("townhall.search.index_watch")

# What publishing's outbox says; `through` asks for the documents named up to it.
SummarySource = Callable[[int | None], ExportSummary]


class IndexWatch:
    """Checks the index against publishing every `interval` seconds and rebuilds it."""

    def __init__(
        self,
        *,
        index: IndexBackend,
        reindexer: Reindexer,
        summary: SummarySource,
        interval: float,
        caught_up_at: Callable[[], float | None] | None = None,
    ) -> None:
        self._index = index
        self._caught_up_at = caught_up_at
        self._reindexer = reindexer
        self._summary = summary
        self._interval = interval
        self._problem: str | None = None
        # While the indexer may still be on its way: when the check asked publishing, and
        # what publishing had delivered then. Judged once the indexer went idle after it.
        self._awaiting: tuple[float, int] | None = None
        self._verified = False
        self._checks = 0
        self._rebuilds = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what others read -----------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        """What is wrong with the index, until a rebuild has fixed it."""
        return self._problem

    @property
    def verified(self) -> bool:
        """True when the last check could ask publishing and found the index whole."""
        return self._verified

    @property
    def rebuilds(self) -> int:
        """Rebuilds this watch started (not those asked for by an operator)."""
        return self._rebuilds

    @property
    def checks(self) -> int:
        """Checks completed, whatever they found."""
        return self._checks

    def readiness(self) -> bool:
        """True while the index may serve; `NotReady` with the reason and progress."""
        problem = self._problem or self._index.damage()
        if problem is None:
            if self._checks == 0:
                # An emptied index opens fine and answers nothing: serve once checked.
                raise NotReady("the index has not been checked against publishing yet")
            return True
        status = self._reindexer.status()
        if status.state is ReindexState.RUNNING:
            total = f" of {status.total}" if status.total else ""
            progress = f"rebuilding from publishing: {status.processed}{total} documents"
        elif status.state is ReindexState.FAILED:
            progress = f"the last rebuild failed ({status.error}); retrying"
        else:
            progress = "a rebuild from publishing is starting"
        raise NotReady(f"{problem}; {progress}")

    # -- the loop -------------------------------------------------------------------------

    def start(self) -> None:
        """Check now, then every `interval` seconds, in a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="index-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            try:
                delay = self.tick()
            except Exception:
                # Never the end of the watch: the next check comes anyway.
                log.exception("index_watch_failed")
                delay = self._interval

    def tick(self) -> float:
        """One check, and a rebuild when it finds a problem; the seconds until the next."""
        if self._reindexer.status().state is ReindexState.RUNNING:
            return self._interval
        problem = self.check()
        if problem is None and self.awaiting_indexer():
            # Not a verdict yet: look again soon (and, at start, stay not ready meanwhile).
            return min(self._interval, _AWAITING_RECHECK_SECONDS)
        self._checks += 1
        if problem is None:
            if self._problem is not None:
                log.info("index_consistent_again")
            self._problem = None
            return self._interval
        self._problem = problem
        log.error("index_inconsistent", problem=problem)
        try:
            self._reindexer.start(reason=problem)
            self._rebuilds += 1
        except ReindexAlreadyRunning:
            pass
        status = self._reindexer.wait()
        # Check again at once after a rebuild that succeeded; retry later otherwise.
        return 0.0 if status.state is ReindexState.SUCCEEDED else self._interval

    def _catching_up(self, asked: float) -> bool:
        """True unless the bus indexer found nothing to do after `asked` (then every
        event published before it was applied). Without an indexer, never."""
        if self._caught_up_at is None:
            return False
        caught_up = self._caught_up_at()
        return caught_up is None or caught_up < asked

    def _missing(self, watermark: int, delivered_through: int) -> str:
        return (
            f"the index holds events through {watermark} but publishing delivered "
            f"through {delivered_through}: acknowledged changes are missing"
        )

    def awaiting_indexer(self) -> bool:
        """True while a check waits (less than an interval so far) for the indexer to catch
        up before it can judge; under steady traffic the indexer may never idle, and the
        index then serves after one interval while the judgement waits."""
        return self._awaiting is not None and time.monotonic() - self._awaiting[0] < self._interval

    def check(self) -> str | None:
        """What is wrong with the index now, or None (also when publishing cannot say)."""
        damage = self._index.damage()
        if damage is not None:
            self._verified = False
            return damage
        if self._awaiting is not None and not self._catching_up(self._awaiting[0]):
            # The indexer went idle since: every event delivered then should be applied.
            delivered_then = self._awaiting[1]
            self._awaiting = None
            watermark, _ = self._index.watermark()
            if watermark < delivered_then:
                return self._missing(watermark, delivered_then)
        asked = time.monotonic()
        try:
            delivered = self._summary(None)
        except Exception as exc:
            self._verified = False
            log.warning("index_unverified", error=str(exc)[:300])
            return None
        watermark, documents = self._index.watermark()
        if watermark < delivered.delivered_through and self._catching_up(asked):
            # Published to the bus, not yet applied: the indexer may be on its way. Judged at
            # a later check, once the indexer went idle after this one asked.
            self._verified = False
            if self._awaiting is None:
                self._awaiting = (asked, delivered.delivered_through)
            log.info(
                "index_catching_up", watermark=watermark, published=delivered.delivered_through
            )
            return None
        self._awaiting = None
        if watermark < delivered.delivered_through:
            return self._missing(watermark, delivered.delivered_through)
        if watermark > delivered.head:
            return (
                f"the index holds events through {watermark}, past publishing's newest "
                f"({delivered.head}): it was built from another database"
            )
        try:
            expected = self._summary(watermark).documents_through or 0
        except Exception as exc:
            self._verified = False
            log.warning("index_unverified", error=str(exc)[:300])
            return None
        if documents < expected:
            return (
                f"the index holds {documents} documents but the events through {watermark} "
                f"name {expected}: documents are missing"
            )
        self._verified = True
        return None
