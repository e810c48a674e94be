"""The embedded index: tantivy in a directory, one writer per index generation.

The index directory holds generations (`gen-<n>/`) and a `CURRENT` file naming the
live one. A rebuild fills a new generation while searches read the live one, then
switches by replacing `CURRENT` (an atomic rename) and swapping the in-process
reference. tantivy allows a single `IndexWriter` per generation (a second one gets
LockBusy), so the process keeps one and serializes batches with a lock. Each batch
is committed and the reader reloaded before the call returns, which makes a
document searchable as soon as its event is acknowledged.

The bulk of a rebuild (`load_rebuild`) is the exception: nobody searches the new
generation yet, so its batches are committed only every `REBUILD_COMMIT_DOCS`
documents and at the switch. tantivy indexes them in its own threads meanwhile,
overlapping language detection of the next batch, and builds fewer, larger segments.
The versions of documents added but not yet committed are kept in memory so that
versions still only move forward.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
import tantivy

from townhall_contracts.search import (
    DocumentType,
    FacetBucket,
    Hit,
    IndexDocument,
    IndexEvent,
    IndexOperation,
)

from . import schema as f
from .analysis import english_analyzer, french_analyzer, register_analyzers
from .backend import (
    FACET_SIZES,
    FUZZY_WEIGHT,
    OFFICIAL_BOOST,
    PREFIX_WEIGHT,
    RECENT_BOOST,
    RECENT_DAYS,
    TITLE_WEIGHT,
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
from .highlight import (
    BODY_EXCERPT_CHARS,
    TITLE_EXCERPT_CHARS,
    WHOLE_TEXT_CHARS,
    excerpt_html,
    marks_of_snippet,
)
from .language import Language, detect_languages
from .query_text import ParsedQuery, fold, fuzzy_distance, parse, typo_candidates, words_of

log = structlog.get_logger("townhall.search.index")

CURRENT_FILE = "CURRENT"
_GENERATION = re.compile(r"^gen-(\d{6})$")
# A constant score of zero keeps filters from changing the text relevance.
_FILTER_SCORE = 0.0
_LANGUAGES = (Language.FRENCH, Language.ENGLISH)
_MIN_THREAD_HEAP = 15_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A run of equal scores up to this size is ordered by reading its documents; a larger
# one by the creation dates of the fast field first.
_FETCH_WHOLE_REGION = 256
# The id of the document whose version is the last event id applied: no document id of
# publishing starts with "~".
WATERMARK_ID = "~watermark"
# Rebuild batches committed together (bounds the in-memory versions of uncommitted ones).
REBUILD_COMMIT_DOCS = 100_000


class IndexSchemaMismatch(RuntimeError):
    """The directory holds an index built with another schema: rebuild it."""


class IndexDamaged(RuntimeError):
    """The live generation cannot be found or opened: rebuild it."""


class RebuildBroken(RuntimeError):
    """A failed rebuild batch rolled back earlier uncommitted ones: abort the rebuild."""


def month_of(moment: datetime) -> str:
    """The month facet's value of a date, e.g. `2025-03`."""
    return _utc(moment).strftime("%Y-%m")


def _open_generation(directory: Path) -> tantivy.Index:
    directory.mkdir(parents=True, exist_ok=True)
    try:
        index = tantivy.Index(f.build_schema(), path=str(directory), reuse=True)
    except ValueError as exc:
        if "schema does not match" in str(exc):
            raise IndexSchemaMismatch(
                f"The index in {directory} was built with another schema; rebuild it."
            ) from exc
        raise
    register_analyzers(index)
    return index


def live_generation(directory: Path) -> Path:
    """The live generation's directory, creating the first one in an empty directory.

    `IndexDamaged` when `CURRENT` is missing beside generations, unreadable, names no
    generation or one that is gone: a fresh index there would answer nothing, quietly."""
    directory.mkdir(parents=True, exist_ok=True)
    pointer = directory / CURRENT_FILE
    if not pointer.exists():
        if _generations(directory):
            raise IndexDamaged(f"{CURRENT_FILE} is missing beside the index generations")
        first = directory / "gen-000001"
        _point_to(directory, first.name)
        return first
    try:
        name = pointer.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"{CURRENT_FILE} cannot be read: {exc}") from exc
    if not _GENERATION.match(name):
        raise IndexDamaged(f"{CURRENT_FILE} names no index generation")
    if not (directory / name).is_dir():
        raise IndexDamaged(f"{CURRENT_FILE} names {name}, which is missing")
    return directory / name


def _generations(directory: Path) -> list[Path]:
    return sorted(
        path for path in directory.iterdir() if path.is_dir() and _GENERATION.match(path.name)
    )


def _next_generation(directory: Path) -> Path:
    """A generation numbered after every one in `directory`."""
    numbers = [int(_GENERATION.match(path.name).group(1)) for path in _generations(directory)]  # type: ignore[union-attr]
    return directory / f"gen-{max(numbers, default=0) + 1:06d}"


def _point_to(directory: Path, name: str) -> None:
    # Write then rename: a crash leaves either the old or the new pointer, never half.
    temporary = directory / f"{CURRENT_FILE}.tmp"
    temporary.write_text(name + "\n")
    os.replace(temporary, directory / CURRENT_FILE)


def create_index(directory: Path) -> tantivy.Index:
    """Open the live generation in `directory`, creating it when missing."""
    return _open_generation(live_generation(directory))


class _Generation:
    """One tantivy index directory and its single writer."""

    def __init__(self, directory: Path, heap_bytes: int) -> None:
        self.directory = directory
        self.index = _open_generation(directory)
        self.schema = self.index.schema
        # Two indexing threads when the heap allows (tantivy wants 15 MB per thread).
        threads = 2 if heap_bytes >= 2 * _MIN_THREAD_HEAP else 1
        self.writer: tantivy.IndexWriter | None = self.index.writer(
            heap_size=heap_bytes, num_threads=threads
        )
        self.index.reload()
        # Versions added since the last commit (only rebuild batches defer commits).
        self._uncommitted: dict[str, int] = {}
        self.broken = False

    def apply(
        self,
        events: Sequence[IndexEvent],
        documents: dict[int, tantivy.Document],
        *,
        commit: bool = True,
        watermark: int = 0,
    ) -> int:
        """Apply events whose version is newer than the stored one; returns how many.

        `watermark` (the batch's last event id) is committed with the batch, as the
        version of a document of its own that no search matches. Without `commit`, the
        batch is committed by a later call, at the latest by `commit()`; its versions
        count as stored meanwhile."""
        writer = self._writer()
        stored = self.versions({event.doc_id for event in events} | {WATERMARK_ID})
        earlier_uncommitted = bool(self._uncommitted)
        applied = 0
        try:
            for position, event in enumerate(events):
                if event.version <= stored.get(event.doc_id, 0):
                    continue
                # Delete-then-add replaces every earlier copy, including one added
                # earlier in this batch (deletes apply by opstamp).
                writer.delete_documents_by_term(f.ID, event.doc_id)
                writer.add_document(documents[position])
                stored[event.doc_id] = event.version
                self._uncommitted[event.doc_id] = event.version
                applied += 1
            if watermark > stored.get(WATERMARK_ID, 0):
                writer.delete_documents_by_term(f.ID, WATERMARK_ID)
                writer.add_document(_watermark_document(watermark))
                self._uncommitted[WATERMARK_ID] = watermark
            if commit or len(self._uncommitted) >= REBUILD_COMMIT_DOCS:
                self.commit()
        except Exception:
            # A rollback also drops earlier uncommitted batches: this generation
            # can no longer be trusted to hold them.
            self.broken = self.broken or earlier_uncommitted
            self._uncommitted.clear()
            writer.rollback()
            raise
        return applied

    def commit(self) -> None:
        """Make every added document searchable."""
        if self._uncommitted:
            self._writer().commit()
            self.index.reload()
            self._uncommitted.clear()

    def versions(self, doc_ids: set[str]) -> dict[str, int]:
        if not doc_ids:
            return {}
        versions = self._committed_versions(doc_ids)
        for doc_id in doc_ids & self._uncommitted.keys():
            versions[doc_id] = max(versions.get(doc_id, 0), self._uncommitted[doc_id])
        return versions

    def watermark(self) -> tuple[int, int]:
        """The last event id committed and the documents committed with it."""
        watermark = self._committed_versions({WATERMARK_ID}).get(WATERMARK_ID, 0)
        documents = int(self.index.searcher().num_docs) - (1 if watermark else 0)
        return watermark, documents

    def _committed_versions(self, doc_ids: set[str]) -> dict[str, int]:
        searcher = self.index.searcher()
        query = tantivy.Query.term_set_query(self.schema, f.ID, sorted(doc_ids))
        # Each id has one live copy; the margin tolerates none being lost silently.
        result = searcher.search(query, limit=len(doc_ids) * 2, count=False)
        versions: dict[str, int] = {}
        for _score, address in result.hits:
            stored = searcher.doc(address)
            doc_id = stored.get_first(f.ID)
            version = stored.get_first(f.VERSION)
            if isinstance(doc_id, str) and isinstance(version, int):
                versions[doc_id] = max(version, versions.get(doc_id, 0))
        return versions

    def close(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            # Consumes the writer: its lock is released for the next process.
            writer.wait_merging_threads()

    def _writer(self) -> tantivy.IndexWriter:
        if self.writer is None:
            raise RuntimeError("the index is closed")
        return self.writer


class TantivyIndex:
    """An `IndexBackend` on a local tantivy directory."""

    name = "tantivy"

    def __init__(
        self, directory: Path, live: _Generation, heap_bytes: int, damage: str | None = None
    ) -> None:
        self._directory = directory
        self._live: _Generation | None = live
        self._building: _Generation | None = None
        self._heap_bytes = heap_bytes
        self._damage = damage
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path, *, heap_bytes: int = 50_000_000) -> TantivyIndex:
        """Open (or create) the live generation and take its single writer.

        A live generation that cannot be found or opened (a garbage `CURRENT`, a
        truncated segment, another schema) does not stop the process: an empty spare
        generation takes events meanwhile, `damage()` says why, and a rebuild replaces
        both (`CURRENT` is left as it was until then)."""
        try:
            live = _Generation(live_generation(directory), heap_bytes)
        except Exception as exc:
            if "LockBusy" in str(exc):
                # Another writer holds this index: not damage, and not ours to replace.
                raise
            damage = f"the index in {directory} cannot be opened: {exc}"[:500]
            log.error("index_damaged", directory=str(directory), error=str(exc)[:500])
            spare = _Generation(_next_generation(directory), heap_bytes)
            return cls(directory, spare, heap_bytes, damage)
        log.info(
            "index_opened",
            directory=str(live.directory),
            documents=live.index.searcher().num_docs,
        )
        return cls(directory, live, heap_bytes)

    def damage(self) -> str | None:
        """Why the live index cannot be trusted, until a rebuild replaces it."""
        return self._damage

    # -- writing ---------------------------------------------------------------------------

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events in order, all or nothing; versions only move forward."""
        documents = self._documents(events)
        watermark = max((event.event_id for event in events), default=0)
        with self._lock:
            live = self._require_live()
            applied = live.apply(events, documents, watermark=watermark)
            if self._building is not None:
                self._building.apply(events, documents, watermark=watermark)
        skipped = len(events) - applied
        log.info("index_events_applied", applied=applied, skipped=skipped)
        return ApplyOutcome(applied=applied, skipped=skipped)

    def _documents(self, events: Sequence[IndexEvent]) -> dict[int, tantivy.Document]:
        indexed_at = datetime.now(UTC)
        contents = [
            (position, event.document)
            for position, event in enumerate(events)
            if event.op is IndexOperation.UPSERT
            and event.document is not None
            and event.document.readers
        ]
        languages = detect_languages([(doc.title, doc.body) for _, doc in contents])
        language_of = {
            position: lang for (position, _), lang in zip(contents, languages, strict=True)
        }
        documents: dict[int, tantivy.Document] = {}
        for position, event in enumerate(events):
            doc = tantivy.Document()
            doc.add_text(f.ID, event.doc_id)
            doc.add_unsigned(f.VERSION, event.version)
            doc.add_date(f.INDEXED_AT, indexed_at)
            if position in language_of and event.document is not None:
                _add_content(doc, event.document, language_of[position])
            # Otherwise a tombstone: it keeps the version so an older upsert cannot
            # bring the document back, and without readers it never matches a search.
            documents[position] = doc
        return documents

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

    # -- rebuilding ------------------------------------------------------------------------

    def start_rebuild(self) -> None:
        """A new, empty generation next to the live one."""
        with self._lock:
            if self._building is not None:
                raise RebuildInProgress("a rebuild is already in progress")
            self._require_live()
            target = _next_generation(self._directory)
            self._building = _Generation(target, self._heap_bytes)
        log.info("index_rebuild_started", directory=str(target))

    def load_rebuild(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events to the generation being built."""
        documents = self._documents(events)
        with self._lock:
            if self._building is None:
                raise NoRebuild("no rebuild is in progress")
            applied = self._building.apply(events, documents, commit=False)
        return ApplyOutcome(applied=applied, skipped=len(events) - applied)

    def finish_rebuild(self, watermark: int = 0) -> None:
        """Point `CURRENT` at the new generation and search it from now on.

        `watermark`: the last event the export that filled it already reflects; the
        new generation holds events through it or the live one's, whichever is later."""
        with self._lock:
            building, old = self._building, self._require_live()
            if building is None:
                raise NoRebuild("no rebuild is in progress")
            if building.broken:
                raise RebuildBroken("a rebuild batch failed after others were loaded")
            live_watermark = 0 if self._damage else old.watermark()[0]
            building.apply([], {}, commit=False, watermark=max(watermark, live_watermark))
            building.commit()
            _point_to(self._directory, building.directory.name)
            self._live, self._building = building, None
            self._damage = None
            old.close()
        # Searches still holding the old searcher keep their open files until done. A
        # damaged generation goes too: the new one replaces it.
        for stale in _generations(self._directory):
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
        readers = _filter(schema, f.READERS, sorted(query.principals))
        # Typo expansion first only for words no readable document holds, then for every
        # candidate word when the exact words find too little (see `backend.py`).
        candidates = typo_candidates(parsed)
        typos = _unknown_words(searcher, schema, candidates, readers)
        # Built once: compiling the prefix automaton costs more than running it.
        prefix = _prefix_query(schema, parsed.prefix) if parsed.prefix else None
        text_query, matching, by_date, total, found = _run(
            searcher, schema, query, parsed, typos, prefix
        )
        if total < TYPO_FALLBACK_HITS and set(candidates) - typos:
            text_query, matching, by_date, total, found = _run(
                searcher, schema, query, parsed, frozenset(candidates), prefix
            )

        highlighter = _Highlighter(searcher, schema, text_query)
        hits = [
            _hit(stored, 1.0 if by_date else score, highlighter.highlights(stored))
            for score, stored in found
        ]
        return SearchPage(total=total, hits=hits, facets=_facets(searcher, matching, query.facets))

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
            (tantivy.Occur.Must, _filter(schema, f.READERS, sorted(principals))),
        ]
        clauses += [
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, f.TITLE_FOLDED, word))
            for word in complete
        ]
        searcher = live.index.searcher()
        _total, found = _ordered_page(
            searcher, tantivy.Query.boolean_query(clauses), offset=0, limit=limit * 3, by_date=True
        )
        suggestions: list[Suggestion] = []
        seen: set[str] = set()
        for _score, stored in found:
            title = _stored_text(stored, f.TITLE)
            if not title or title.casefold() in seen:
                continue
            seen.add(title.casefold())
            suggestions.append(
                Suggestion(
                    id=_text(stored, f.ID),
                    title=title,
                    space_id=_text(stored, f.SPACE_ID),
                    kind=_text(stored, f.KIND),
                )
            )
            if len(suggestions) == limit:
                break
        return suggestions

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

    def _require_live(self) -> _Generation:
        live = self._live
        if live is None:
            raise RuntimeError("the index is closed")
        return live


# -- documents -----------------------------------------------------------------------------


def _watermark_document(watermark: int) -> tantivy.Document:
    # Like a tombstone (no readers, so no search matches it); its version is the watermark.
    doc = tantivy.Document()
    doc.add_text(f.ID, WATERMARK_ID)
    doc.add_unsigned(f.VERSION, watermark)
    doc.add_date(f.INDEXED_AT, datetime.now(UTC))
    return doc


def _add_content(doc: tantivy.Document, document: IndexDocument, language: Language) -> None:
    doc.add_text(f.DOC_TYPE, document.doc_type.value)
    if document.post_id:
        doc.add_text(f.POST_ID, document.post_id)
    doc.add_text(f.KIND, document.kind)
    doc.add_text(f.SPACE_ID, document.space_id)
    doc.add_text(f.AUTHOR_ID, document.author_id)
    doc.add_text(f.STATE, document.state)
    doc.add_text(f.LANGUAGE, language.value)
    doc.add_text(f.MONTH, month_of(document.created_at))
    if document.authority:
        doc.add_text(f.AUTHORITY, document.authority)
    for tag in document.tags:
        doc.add_text(f.TAGS, tag)
    for reader in sorted(set(document.readers)):
        doc.add_text(f.READERS, reader)
    doc.add_date(f.CREATED_AT, _utc(document.created_at))
    doc.add_date(f.UPDATED_AT, _utc(document.updated_at))
    doc.add_text(f.TITLE[language.value], document.title)
    doc.add_text(f.BODY[language.value], document.body)
    doc.add_text(f.TITLE_FOLDED, document.title)
    doc.add_text(f.BODY_FOLDED, document.body)


# -- queries -------------------------------------------------------------------------------


def _analyzed(word: str) -> dict[str, list[str]]:
    return {
        Language.FRENCH.value: french_analyzer().analyze(word),
        Language.ENGLISH.value: english_analyzer().analyze(word),
    }


def _word_query(schema: tantivy.Schema, word: str, *, fuzzy: bool) -> tantivy.Query | None:
    """The word in any language's title or body, exactly, then with typos."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    distance = fuzzy_distance(word) if fuzzy else 0
    for language, tokens in _analyzed(word).items():
        for token in tokens:
            for field_name, weight in ((f.TITLE[language], TITLE_WEIGHT), (f.BODY[language], 1.0)):
                term = tantivy.Query.term_query(schema, field_name, token)
                clauses.append(
                    (tantivy.Occur.Should, tantivy.Query.const_score_query(term, weight))
                )
                if distance:
                    typo = tantivy.Query.fuzzy_term_query(schema, field_name, token, distance)
                    clauses.append(
                        (
                            tantivy.Occur.Should,
                            tantivy.Query.const_score_query(typo, weight * FUZZY_WEIGHT),
                        )
                    )
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _phrase_query(schema: tantivy.Schema, words: Sequence[str]) -> tantivy.Query | None:
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for language in _LANGUAGES:
        analyzer = french_analyzer() if language is Language.FRENCH else english_analyzer()
        # Positions keep the gaps of dropped stopwords, as in the index.
        positioned = [
            (offset, tokens[0])
            for offset, word in enumerate(words)
            if (tokens := analyzer.analyze(word))
        ]
        if not positioned:
            continue
        for field_name in (f.TITLE[language.value], f.BODY[language.value]):
            if len(positioned) == 1:
                query = tantivy.Query.term_query(schema, field_name, positioned[0][1])
            else:
                words_at: list[str | tuple[int, str]] = list(positioned)
                query = tantivy.Query.phrase_query(schema, field_name, words_at)
            clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(query, 1.0)))
    return tantivy.Query.boolean_query(clauses) if clauses else None


def _unknown_words(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    candidates: Sequence[str],
    readers: tantivy.Query,
) -> frozenset[str]:
    """The candidates no readable document holds: a known word is no typo. Asked within
    the readers filter, so what unreadable documents hold changes nothing."""
    unknown = set()
    for word in candidates:
        held = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.boolean_query(
                        [
                            (
                                tantivy.Occur.Should,
                                tantivy.Query.term_query(schema, name, fold(word)),
                            )
                            for name in (f.TITLE_FOLDED, f.BODY_FOLDED)
                        ]
                    ),
                ),
                (tantivy.Occur.Must, readers),
            ]
        )
        if not searcher.search(held, limit=1).count:  # type: ignore[attr-defined]
            unknown.add(word)
    return frozenset(unknown)


def _text_query(
    schema: tantivy.Schema,
    parsed: ParsedQuery,
    typos: frozenset[str],
    prefix: tantivy.Query | None,
) -> tantivy.Query | None:
    """None for a blank query (everything matches); an empty query when nothing can.
    Only the words in `typos` also match with typos; `prefix` is the last word's."""
    if parsed.is_empty:
        return tantivy.Query.empty_query() if parsed.excluded else None
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for word in parsed.words:
        query = _word_query(schema, word, fuzzy=word in typos)
        if word == parsed.words[-1] and prefix is not None:
            query = (
                prefix
                if query is None
                else tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, query), (tantivy.Occur.Should, prefix)]
                )
            )
        if query is not None:
            clauses.append((tantivy.Occur.Should, query))
    for word in parsed.required:
        query = _word_query(schema, word, fuzzy=word in typos)
        # A required stopword cannot match anything: it is ignored, as OpenSearch does.
        if query is not None:
            clauses.append((tantivy.Occur.Must, query))
    for phrase in parsed.phrases:
        query = _phrase_query(schema, phrase)
        if query is not None:
            clauses.append((tantivy.Occur.Must, query))
    for word in parsed.excluded:
        query = _word_query(schema, word, fuzzy=False)
        if query is not None:
            clauses.append((tantivy.Occur.MustNot, query))
    if not any(occur is not tantivy.Occur.MustNot for occur, _ in clauses):
        # Only stopwords were asked for: nothing to rank by, nothing matches.
        return tantivy.Query.empty_query()
    return tantivy.Query.boolean_query(clauses)


def _run(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: SearchQuery,
    parsed: ParsedQuery,
    typos: frozenset[str],
    prefix: tantivy.Query | None,
) -> tuple[tantivy.Query | None, tantivy.Query, bool, int, list[tuple[float, tantivy.Document]]]:
    """The text query, the filtered match, whether by date, the total and the page."""
    text_query = _text_query(schema, parsed, typos, prefix)
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [
        (tantivy.Occur.Must, text_query or tantivy.Query.all_query()),
        (tantivy.Occur.Must, _filter(schema, f.READERS, sorted(query.principals))),
    ]
    for field_name, value in (
        (f.KIND, query.kind),
        (f.SPACE_ID, query.space_id),
        (f.AUTHOR_ID, query.author_id),
    ):
        if value is not None:
            clauses.append((tantivy.Occur.Must, _filter(schema, field_name, [value])))
    if query.created_from is not None or query.created_to is not None:
        clauses.append(
            (
                tantivy.Occur.Must,
                _date_range(schema, f.CREATED_AT, query.created_from, query.created_to),
            )
        )
    if query.as_of is not None:
        clauses.append((tantivy.Occur.Must, _date_range(schema, f.INDEXED_AT, None, query.as_of)))
    matching = tantivy.Query.boolean_query(clauses)

    by_date = text_query is None or query.sort is SortOrder.DATE
    ranked = matching
    if not by_date:
        now = query.now or datetime.now(UTC)
        ranked = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, matching),
                (tantivy.Occur.Should, _boost(schema, f.KIND, "official", OFFICIAL_BOOST)),
                (
                    tantivy.Occur.Should,
                    tantivy.Query.const_score_query(
                        _date_range(schema, f.CREATED_AT, now - timedelta(days=RECENT_DAYS), None),
                        RECENT_BOOST,
                    ),
                ),
            ]
        )
    total, found = _ordered_page(
        searcher, ranked, offset=query.offset, limit=query.limit, by_date=by_date
    )
    return text_query, matching, by_date, total, found


def _ordered_page(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    *,
    offset: int,
    limit: int,
    by_date: bool,
) -> tuple[int, list[tuple[float, tantivy.Document]]]:
    """The total and one page in a fully determined order: score (unless by date), then
    newest first (to the millisecond), then by id.

    tantivy breaks ties by where documents sit in its segments, which depends on every
    document written, unreadable ones included. So the runs of equal keys at the edges
    of the page are read whole and ordered here."""
    wanted = offset + limit
    fetch = wanted
    while True:
        if by_date:
            result = searcher.search(
                query, limit=fetch, order_by_field=f.CREATED_AT, order=tantivy.Order.Desc
            )
        else:
            result = searcher.search(query, limit=fetch)
        hits: list[tuple[Any, tantivy.DocAddress]] = list(result.hits)
        total = int(result.count or 0)  # type: ignore[attr-defined]
        if len(hits) <= offset:
            return total, []
        last_key = hits[min(wanted, len(hits)) - 1][0]
        if len(hits) < fetch or fetch >= total or hits[-1][0] != last_key:
            break
        # The run of equal keys goes on past the page: read the whole match once.
        fetch = total
    first_key = hits[offset][0]
    start = next(n for n, (key, _) in enumerate(hits) if key == first_key)
    end = max(n for n, (key, _) in enumerate(hits) if key == last_key) + 1
    # `region` holds every document whose key lies between the page's first and last.
    region = [(1.0 if by_date else float(key), address) for key, address in hits[start:end]]
    first = offset - start
    if not by_date and len(region) > _FETCH_WHOLE_REGION:
        shift, region = _dated_slice(searcher, query, region, first, first + limit)
        first -= shift
    run = [(score, searcher.doc(address)) for score, address in region]
    run.sort(key=lambda item: (-item[0], -_millis(item[1]), _text(item[1], f.ID)))
    return total, run[first : first + limit]


def _dated_slice(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    region: list[tuple[float, tantivy.DocAddress]],
    low: int,
    high: int,
) -> tuple[int, list[tuple[float, tantivy.DocAddress]]]:
    """Ranks `low` to `high` of `region` (runs of equal scores, best first) ordered by
    score then creation second, widened to whole runs of equal (score, second); and the
    rank its first item has. The creation seconds come from a date-ordered pass over the
    match (the fast field), so only the documents of the page are read."""
    levels: list[tuple[float, int, int]] = []  # score, first rank, size
    for rank, (score, _) in enumerate(region):
        if levels and levels[-1][0] == score:
            levels[-1] = (score, levels[-1][1], levels[-1][2] + 1)
        else:
            levels.append((score, rank, 1))
    touched = [level for level in levels if level[1] < high and level[1] + level[2] > low]
    level_of: dict[tuple[int, int], int] = {}
    for number, (_score, first_rank, size) in enumerate(touched):
        for _, address in region[first_rank : first_rank + size]:
            level_of[_address_key(address)] = number
    # Each touched level, newest first, up to the last rank the page needs and the end
    # of that rank's run of equal seconds.
    needed = [min(high, first_rank + size) - first_rank for _, first_rank, size in touched]
    dated: list[list[tuple[int, tantivy.DocAddress]]] = [[] for _ in touched]
    done = [False] * len(touched)
    fetch = max(4 * high, 64)
    seen = 0
    while not all(done):
        result = searcher.search(
            query, limit=fetch, order_by_field=f.CREATED_AT, order=tantivy.Order.Desc
        )
        hits = list(result.hits)
        for value, address in hits[seen:]:
            level = level_of.get(_address_key(address))
            if level is None or done[level]:
                continue
            second = int(value or 0)
            collected = dated[level]
            if len(collected) >= needed[level] and collected[-1][0] != second:
                done[level] = True
                continue
            collected.append((second, address))
        seen = len(hits)
        if len(hits) < fetch:
            break
        fetch *= 2
    slice_: list[tuple[float, tantivy.DocAddress]] = []
    shift = None
    for number, (score, first_rank, _size) in enumerate(touched):
        collected = dated[number]
        begin = max(low - first_rank, 0)
        while 0 < begin < len(collected) and collected[begin - 1][0] == collected[begin][0]:
            begin -= 1
        if shift is None:
            shift = first_rank + begin
        slice_ += [(score, address) for _, address in collected[begin:]]
    return shift or 0, slice_


def _address_key(address: tantivy.DocAddress) -> tuple[int, int]:
    return address.segment_ord, address.doc


def _millis(stored: tantivy.Document) -> int:
    created = stored.get_first(f.CREATED_AT)
    if not isinstance(created, datetime):
        return 0
    return (_utc(created) - _EPOCH) // timedelta(milliseconds=1)


def _prefix_query(schema: tantivy.Schema, prefix: str) -> tantivy.Query:
    pattern = re.escape(prefix) + ".*"
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Should,
                tantivy.Query.const_score_query(
                    tantivy.Query.regex_query(schema, field_name, pattern), PREFIX_WEIGHT * weight
                ),
            )
            for field_name, weight in ((f.TITLE_FOLDED, TITLE_WEIGHT), (f.BODY_FOLDED, 1.0))
        ]
    )


def _filter(schema: tantivy.Schema, field_name: str, values: list[str]) -> tantivy.Query:
    return tantivy.Query.const_score_query(
        tantivy.Query.term_set_query(schema, field_name, values), _FILTER_SCORE
    )


def _boost(schema: tantivy.Schema, field_name: str, value: str, score: float) -> tantivy.Query:
    return tantivy.Query.const_score_query(
        tantivy.Query.term_query(schema, field_name, value), score
    )


def _date_range(
    schema: tantivy.Schema, field_name: str, lower: datetime | None, upper: datetime | None
) -> tantivy.Query:
    return tantivy.Query.const_score_query(
        tantivy.Query.range_query(
            schema,
            field_name,
            tantivy.FieldType.Date,
            lower_bound=_utc(lower) if lower is not None else None,
            upper_bound=_utc(upper) if upper is not None else None,
        ),
        _FILTER_SCORE,
    )


def _facets(
    searcher: tantivy.Searcher, query: tantivy.Query, names: Sequence[str]
) -> dict[str, list[FacetBucket]]:
    if not names:
        return {}
    aggregations = {name: {"terms": {"field": name, "size": FACET_SIZES[name]}} for name in names}
    answer: dict[str, Any] = searcher.aggregate(query, aggregations)
    facets: dict[str, list[FacetBucket]] = {}
    for name in names:
        buckets = answer.get(name, {}).get("buckets", [])
        facets[name] = sort_buckets(
            FacetBucket(value=str(b["key"]), count=int(b["doc_count"])) for b in buckets
        )
    return facets


def sort_buckets(buckets: Iterable[FacetBucket]) -> list[FacetBucket]:
    """Most frequent first, then by value, the same on every backend."""
    return sorted(buckets, key=lambda bucket: (-bucket.count, bucket.value))


class _Highlighter:
    """Snippets of the title and body, from the fields of the document's language."""

    def __init__(
        self, searcher: tantivy.Searcher, schema: tantivy.Schema, query: tantivy.Query | None
    ) -> None:
        self._generators: dict[str, tantivy.SnippetGenerator] = {}
        if query is None:
            return
        for fields in (f.TITLE, f.BODY):
            for field_name in fields.values():
                generator = tantivy.SnippetGenerator.create(searcher, query, schema, field_name)
                # The excerpt is chosen by `excerpt_html`, not by tantivy's term weights.
                generator.set_max_num_chars(WHOLE_TEXT_CHARS)
                self._generators[field_name] = generator

    def highlights(self, stored: tantivy.Document) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {"title": [], "body": []}
        if not self._generators:
            return result
        language = _text(stored, f.LANGUAGE) or Language.FRENCH.value
        for label, fields, size in (
            ("title", f.TITLE, TITLE_EXCERPT_CHARS),
            ("body", f.BODY, BODY_EXCERPT_CHARS),
        ):
            field_name = fields.get(language, fields[Language.FRENCH.value])
            text = _text(stored, field_name)
            if not text:
                continue
            snippet = self._generators[field_name].snippet_from_doc(stored)
            rendered = excerpt_html(text, marks_of_snippet(text, snippet), size)
            if rendered is not None:
                result[label] = [rendered]
        return result


def _text(stored: tantivy.Document, name: str) -> str:
    value = stored.get_first(name)
    return value if isinstance(value, str) else ""


def _stored_text(stored: tantivy.Document, fields: dict[str, str]) -> str:
    return next((text for name in fields.values() if (text := _text(stored, name))), "")


def _hit(stored: tantivy.Document, score: float, highlights: dict[str, list[str]]) -> Hit:
    created = stored.get_first(f.CREATED_AT)
    return Hit(
        id=_text(stored, f.ID),
        doc_type=DocumentType(_text(stored, f.DOC_TYPE)),
        post_id=_text(stored, f.POST_ID) or None,
        kind=_text(stored, f.KIND),
        space_id=_text(stored, f.SPACE_ID),
        author_id=_text(stored, f.AUTHOR_ID),
        title=_stored_text(stored, f.TITLE),
        score=score,
        created_at=_utc(created)
        if isinstance(created, datetime)
        else datetime.fromtimestamp(0, UTC),
        highlights=highlights,
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
