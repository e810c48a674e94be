"""The embedded index: tantivy in a local directory (see `tantivy_generations`).

The process keeps one writer per generation and serializes batches with a lock; a
rebuild fills a new generation while searches read the live one, then swaps the
in-process reference with the `CURRENT` pointer.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import structlog
import tantivy

from townhall_contracts.search import IndexEvent

from . import schema as f
from . import tantivy_queries as q
from .backend import (
    TYPO_FALLBACK_HITS,
    ApplyOutcome,
    NoRebuild,
    RebuildInProgress,
    SearchPage,
    SearchQuery,
    SortOrder,
    Suggestion,
    no_facets,
)
from .expansion import expand
from .query_text import ParsedQuery, fold, parse, typo_candidates, words_of
from .shared import distinct_titles
from .tantivy_documents import documents_of
from .tantivy_generations import (
    Generation,
    RebuildBroken,
    generations,
    live_generation,
    next_generation,
    point_to,
)
from .tantivy_pages import Highlighter, facets, hit, ordered_page, stored_text, text_of

log = structlog.get_logger("townhall.search.index")

# What one run of a search finds: the text query (None: everything), the filtered
# match, whether it is ordered by date, the total and the page.
_Found = tuple[tantivy.Query | None, tantivy.Query, bool, int, list[tuple[float, tantivy.Document]]]


class IndexWriterBusy(ValueError):
    """Another process holds the index's writer: the tantivy backend is one process."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            f"another process holds the writer of the tantivy index in {directory} "
            "(tantivy's LockBusy). The tantivy backend runs as one search process; "
            "run several instances on OpenSearch (TOWNHALL_SEARCH_BACKEND=opensearch)."
        )


class TantivyIndex:
    """An `IndexBackend` on a local tantivy directory."""

    name = "tantivy"

    def __init__(
        self,
        directory: Path,
        live: Generation,
        heap_bytes: int,
        damage: str | None = None,
        *,
        rebuild_heap_bytes: int | None = None,
    ) -> None:
        self._directory = directory
        self._live: Generation | None = live
        self._building: Generation | None = None
        self._heap_bytes = heap_bytes
        self._rebuild_heap_bytes = rebuild_heap_bytes or heap_bytes
        self._damage = damage
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        heap_bytes: int = 50_000_000,
        rebuild_heap_bytes: int | None = None,
    ) -> TantivyIndex:
        """Open (or create) the live generation and take its single writer.

        `rebuild_heap_bytes` (default `heap_bytes`): the writer memory of a generation
        being rebuilt, one indexing thread (see `tantivy_generations`).

        A live generation that cannot be found or opened (a garbage `CURRENT`, a
        truncated segment, another schema) does not stop the process: an empty spare
        generation takes events meanwhile, `damage()` says why, and a rebuild replaces
        both (`CURRENT` is left as it was until then)."""
        try:
            live = Generation(live_generation(directory), heap_bytes)
        except Exception as exc:
            if "LockBusy" in str(exc):
                # Another writer holds this index: not damage, and not ours to replace.
                raise IndexWriterBusy(directory) from exc
            damage = f"the index in {directory} cannot be opened: {exc}"[:500]
            log.error("index_damaged", directory=str(directory), error=str(exc)[:500])
            spare = Generation(next_generation(directory), heap_bytes)
            return cls(directory, spare, heap_bytes, damage, rebuild_heap_bytes=rebuild_heap_bytes)
        log.info(
            "index_opened",
            directory=str(live.directory),
            documents=live.index.searcher().num_docs,
        )
        return cls(directory, live, heap_bytes, rebuild_heap_bytes=rebuild_heap_bytes)

    def damage(self) -> str | None:
        """Why the live index cannot be trusted, until a rebuild replaces it."""
        return self._damage

    # -- writing ---------------------------------------------------------------------------

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events in order, all or nothing; versions only move forward."""
        documents = documents_of(events)
        watermark = max((event.event_id for event in events), default=0)
        with self._lock:
            live = self._require_live()
            applied = live.apply(events, documents, watermark=watermark)
            if self._building is not None:
                self._building.apply(events, documents, watermark=watermark)
        skipped = len(events) - applied
        log.info("index_events_applied", applied=applied, skipped=skipped)
        return ApplyOutcome(applied=applied, skipped=skipped)

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The committed version of each known document, tombstones included."""
        return self._require_live().versions(set(doc_ids))

    def count(self) -> int:
        """Documents in the live generation, tombstones included."""
        return self.watermark()[1]

    def watermark(self) -> tuple[int, int]:
        """The last event id applied and the documents the live index holds with it."""
        with self._lock:
            return self._require_live().watermark()

    def generation(self) -> str | None:
        """The live generation's directory name."""
        live = self._live
        return live.directory.name if live is not None else None

    # -- rebuilding ------------------------------------------------------------------------

    def start_rebuild(self) -> None:
        """A new, empty generation next to the live one."""
        with self._lock:
            if self._building is not None:
                raise RebuildInProgress("a rebuild is already in progress")
            self._require_live()
            target = next_generation(self._directory)
            self._building = Generation(target, self._rebuild_heap_bytes, threads=1)
        log.info("index_rebuild_started", directory=str(target))

    def load_rebuild(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events to the generation being built."""
        documents = documents_of(events)
        with self._lock:
            if self._building is None:
                raise NoRebuild("no rebuild is in progress")
            applied = self._building.apply(events, documents, commit=False)
        return ApplyOutcome(applied=applied, skipped=len(events) - applied)

    def finish_rebuild(self, watermark: int = 0, documents: int = 0) -> None:
        """Point `CURRENT` at the new generation and search it from now on.

        `watermark`: the last event the export that filled it already reflects; the
        new generation holds events through it or the live one's, whichever is later.
        `documents` is not checked: one process applies every batch to the generation
        itself (a failed one marks it broken), so none can be missing."""
        with self._lock:
            building, old = self._building, self._require_live()
            if building is None:
                raise NoRebuild("no rebuild is in progress")
            if building.broken:
                raise RebuildBroken("a rebuild batch failed after others were loaded")
            live_watermark = 0 if self._damage else old.watermark()[0]
            building.apply([], {}, commit=False, watermark=max(watermark, live_watermark))
            building.commit()
            point_to(self._directory, building.directory.name)
            self._live, self._building = building, None
            self._damage = None
            old.close()
        # Searches still holding the old searcher keep their open files until done. A
        # damaged generation goes too: the new one replaces it.
        for stale in generations(self._directory):
            if stale != building.directory:
                shutil.rmtree(stale, ignore_errors=True)
        log.info("index_rebuild_switched", directory=str(building.directory))

    def abort_rebuild(self) -> None:
        """Drop the generation being built."""
        with self._lock:
            building, self._building = self._building, None
        if building is not None:
            building.close()
            shutil.rmtree(building.directory, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of hits, the total and the facets, all within the readers filter."""
        if not query.principals:
            return SearchPage(total=0, hits=[], facets=no_facets(query.facets))
        live = self._require_live()
        searcher = live.index.searcher()
        schema = live.schema
        parsed = parse(query.text)
        readers = q.filter_query(schema, f.READERS, sorted(query.principals))
        # Typo expansion first only for words no readable document holds, then for every
        # candidate word when the exact words find too little (see `backend.py`).
        candidates = typo_candidates(parsed)
        typos = q.unknown_words(searcher, schema, candidates, readers)
        # Built once: compiling the prefix automaton costs more than running it.
        prefix = q.prefix_query(schema, parsed.prefix) if parsed.prefix else None
        text_query, matching, by_date, total, found = _run(
            searcher, schema, query, parsed, typos, prefix
        )
        if total < TYPO_FALLBACK_HITS and set(candidates) - typos:
            text_query, matching, by_date, total, found = _run(
                searcher, schema, query, parsed, frozenset(candidates), prefix
            )

        highlighter = Highlighter(searcher, schema, text_query)
        hits = [
            hit(stored, 1.0 if by_date else score, highlighter.highlights(stored))
            for score, stored in found
        ]
        return SearchPage(
            total=total,
            hits=hits,
            facets=facets(searcher, matching, query.facets),
            generation=live.directory.name,
        )

    def unknown_words(self, words: Sequence[str], principals: frozenset[str]) -> frozenset[str]:
        """The words no readable document holds (asked within the readers filter)."""
        if not principals:
            return frozenset(words)
        live = self._require_live()
        readers = q.filter_query(live.schema, f.READERS, sorted(principals))
        return q.unknown_words(live.index.searcher(), live.schema, words, readers)

    def texts(self, doc_ids: Sequence[str], principals: frozenset[str]) -> list[str]:
        """The title and body of each readable one of `doc_ids`."""
        if not principals or not doc_ids:
            return []
        live = self._require_live()
        schema = live.schema
        wanted = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, q.filter_query(schema, f.ID, list(doc_ids))),
                (tantivy.Occur.Must, q.filter_query(schema, f.READERS, sorted(principals))),
            ]
        )
        _total, found = ordered_page(
            live.index.searcher(), wanted, offset=0, limit=len(doc_ids), by_date=True
        )
        return [
            stored_text(stored, f.TITLE) + "\n" + stored_text(stored, f.BODY)
            for _score, stored in found
        ]

    def suggest(self, text: str, principals: frozenset[str], limit: int) -> list[Suggestion]:
        """Readable titles whose words start with what is typed."""
        words = [fold(word) for word in words_of(text)]
        if not principals or not words:
            return []
        live = self._require_live()
        schema = live.schema
        *complete, last = words
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (
                tantivy.Occur.Must,
                tantivy.Query.regex_query(schema, f.TITLE_FOLDED, re.escape(last) + ".*"),
            ),
            (tantivy.Occur.Must, q.filter_query(schema, f.READERS, sorted(principals))),
        ]
        clauses += [
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, f.TITLE_FOLDED, word))
            for word in complete
        ]
        searcher = live.index.searcher()
        _total, found = ordered_page(
            searcher, tantivy.Query.boolean_query(clauses), offset=0, limit=limit * 3, by_date=True
        )
        candidates = (
            Suggestion(
                id=text_of(stored, f.ID),
                title=stored_text(stored, f.TITLE),
                space_id=text_of(stored, f.SPACE_ID),
                kind=text_of(stored, f.KIND),
            )
            for _score, stored in found
        )
        return distinct_titles(candidates, limit)

    # -- lifecycle -------------------------------------------------------------------------

    def ready(self) -> bool:
        """True while the writer is held and the reader answers."""
        live = self._live
        if live is None or live.writer is None:
            return False
        live.index.searcher()
        return True

    def close(self) -> None:
        """Finish merges and release the writer locks."""
        self.abort_rebuild()
        with self._lock:
            live, self._live = self._live, None
        if live is not None:
            live.close()

    def _require_live(self) -> Generation:
        live = self._live
        if live is None:
            raise RuntimeError("the index is closed")
        return live


def _run(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: SearchQuery,
    parsed: ParsedQuery,
    typos: frozenset[str],
    prefix: tantivy.Query | None,
) -> _Found:
    """One run of a search, with typos for the words in `typos`."""
    concepts = expand(parsed, query.vocabulary, query.text)
    text_query = q.text_query(schema, parsed, typos, prefix, concepts)
    matching = q.matching_query(schema, query, text_query)
    by_date = text_query is None or query.sort is SortOrder.DATE
    ranked = matching
    if not by_date:
        ranked = q.ranked_query(schema, matching, query.now or datetime.now(UTC))
    total, found = ordered_page(
        searcher, ranked, offset=query.offset, limit=query.limit, by_date=by_date
    )
    return text_query, matching, by_date, total, found
