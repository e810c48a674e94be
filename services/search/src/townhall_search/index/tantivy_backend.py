"""The embedded index: tantivy in a directory, one writer per process.

tantivy allows a single `IndexWriter` per index directory (a second one gets
LockBusy), so the process keeps one and serializes batches with a lock. Each
batch is committed and the reader reloaded before the call returns, which makes a
document searchable as soon as its event is acknowledged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
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
from .analysis import register_analyzers
from .backend import FACET_FIELDS, ApplyOutcome, SearchPage, SearchQuery
from .highlight import match_count, snippet_html
from .query_text import plain_words, sanitize

log = structlog.get_logger("townhall.search.index")

_FACET_SIZES = {f.KIND: 10, f.SPACE_ID: 100, f.AUTHOR_ID: 100}
_TITLE_SNIPPET_CHARS = 300
_BODY_SNIPPET_CHARS = 240
# A constant score of zero keeps filters from changing the text relevance.
_FILTER_SCORE = 0.0


class IndexSchemaMismatch(RuntimeError):
    """The directory holds an index built with another schema: rebuild it."""


def create_index(directory: Path) -> tantivy.Index:
    """Open the index in `directory`, creating it (and the directory) when missing."""
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


class TantivyIndex:
    """An `IndexBackend` on a local tantivy directory."""

    def __init__(self, index: tantivy.Index, writer: tantivy.IndexWriter) -> None:
        self._index = index
        self._schema = index.schema
        self._writer: tantivy.IndexWriter | None = writer
        self._lock = threading.Lock()

    @classmethod
    def open(cls, directory: Path, *, heap_bytes: int = 50_000_000) -> TantivyIndex:
        """Open (or create) the index and take its single writer."""
        index = create_index(directory)
        writer = index.writer(heap_size=heap_bytes, num_threads=1)
        index.reload()
        log.info("index_opened", directory=str(directory), documents=index.searcher().num_docs)
        return cls(index, writer)

    # -- writing ---------------------------------------------------------------------------

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events in order, all or nothing; versions only move forward."""
        with self._lock:
            writer = self._require_writer()
            stored = self._stored_versions({event.doc_id for event in events})
            applied = skipped = 0
            try:
                for event in events:
                    if event.version <= stored.get(event.doc_id, 0):
                        skipped += 1
                        continue
                    # Delete-then-add replaces every earlier copy, including one
                    # added earlier in this batch (deletes apply by opstamp).
                    writer.delete_documents_by_term(f.ID, event.doc_id)
                    writer.add_document(self._to_tantivy(event))
                    stored[event.doc_id] = event.version
                    applied += 1
                if applied:
                    writer.commit()
                    self._index.reload()
            except Exception:
                writer.rollback()
                raise
        log.info("index_events_applied", applied=applied, skipped=skipped)
        return ApplyOutcome(applied=applied, skipped=skipped)

    def _to_tantivy(self, event: IndexEvent) -> tantivy.Document:
        document = event.document if event.op is IndexOperation.UPSERT else None
        doc = tantivy.Document()
        doc.add_text(f.ID, event.doc_id)
        doc.add_unsigned(f.VERSION, event.version)
        if document is None or not document.readers:
            # A tombstone: it keeps the version so an older upsert cannot bring the
            # document back, and without readers it can never match a search.
            return doc
        self._add_content(doc, document)
        return doc

    @staticmethod
    def _add_content(doc: tantivy.Document, document: IndexDocument) -> None:
        doc.add_text(f.DOC_TYPE, document.doc_type.value)
        if document.post_id:
            doc.add_text(f.POST_ID, document.post_id)
        doc.add_text(f.KIND, document.kind)
        doc.add_text(f.SPACE_ID, document.space_id)
        doc.add_text(f.AUTHOR_ID, document.author_id)
        doc.add_text(f.STATE, document.state)
        if document.authority:
            doc.add_text(f.AUTHORITY, document.authority)
        for tag in document.tags:
            doc.add_text(f.TAGS, tag)
        for reader in sorted(set(document.readers)):
            doc.add_text(f.READERS, reader)
        doc.add_date(f.CREATED_AT, _utc(document.created_at))
        doc.add_date(f.UPDATED_AT, _utc(document.updated_at))
        doc.add_text(f.TITLE_FR, document.title)
        doc.add_text(f.TITLE_EN, document.title)
        doc.add_text(f.BODY_FR, document.body)
        doc.add_text(f.BODY_EN, document.body)

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The committed version of each known document, tombstones included."""
        return self._stored_versions(set(doc_ids))

    def _stored_versions(self, doc_ids: set[str]) -> dict[str, int]:
        if not doc_ids:
            return {}
        searcher = self._index.searcher()
        query = tantivy.Query.term_set_query(self._schema, f.ID, sorted(doc_ids))
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

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of hits, the total and the facets, all within the readers filter."""
        if not query.principals:
            return SearchPage(total=0, hits=[])
        searcher = self._index.searcher()
        text_query = self._text_query(query.text)
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [
            (tantivy.Occur.Must, text_query or tantivy.Query.all_query()),
            (tantivy.Occur.Must, self._filter(f.READERS, sorted(query.principals))),
        ]
        for field_name, value in (
            (f.KIND, query.kind),
            (f.SPACE_ID, query.space_id),
            (f.AUTHOR_ID, query.author_id),
        ):
            if value is not None:
                clauses.append((tantivy.Occur.Must, self._filter(field_name, [value])))
        permitted = tantivy.Query.boolean_query(clauses)

        if text_query is None:
            # Nothing to rank by: newest first.
            result = searcher.search(
                permitted,
                limit=query.limit,
                offset=query.offset,
                order_by_field=f.CREATED_AT,
                order=tantivy.Order.Desc,
            )
        else:
            result = searcher.search(permitted, limit=query.limit, offset=query.offset)

        highlighter = _Highlighter(searcher, self._schema, text_query)
        hits = []
        for score, address in result.hits:
            stored = searcher.doc(address)
            relevance = float(score) if text_query is not None else 1.0
            hits.append(_hit(stored, relevance, highlighter.highlights(stored)))
        # The bundled stub omits `count`, which `search(count=True)` always sets.
        total = int(result.count or 0)  # type: ignore[attr-defined]
        return SearchPage(total=total, hits=hits, facets=self._facets(searcher, permitted))

    def _text_query(self, text: str) -> tantivy.Query | None:
        cleaned = sanitize(text)
        if not cleaned:
            return None
        parsed, errors = self._parse(cleaned)
        if errors:
            # The lenient parser may drop whole parts of a malformed query; the
            # words alone are a better reading of what the user meant.
            words = plain_words(cleaned)
            if not words:
                return tantivy.Query.empty_query()
            parsed, _ = self._parse(words)
        return parsed

    def _parse(self, text: str) -> tuple[tantivy.Query, list[Any]]:
        return self._index.parse_query_lenient(
            text,
            default_field_names=list(f.TEXT_FIELDS),
            field_boosts={f.TITLE_FR: f.TITLE_BOOST, f.TITLE_EN: f.TITLE_BOOST},
        )

    def _filter(self, field_name: str, values: list[str]) -> tantivy.Query:
        return tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self._schema, field_name, values), _FILTER_SCORE
        )

    @staticmethod
    def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, list[FacetBucket]]:
        aggregations = {
            name: {"terms": {"field": name, "size": _FACET_SIZES[name]}} for name in FACET_FIELDS
        }
        answer = searcher.aggregate(query, aggregations)
        facets: dict[str, list[FacetBucket]] = {}
        for name in FACET_FIELDS:
            buckets = answer.get(name, {}).get("buckets", [])
            facets[name] = sorted(
                (FacetBucket(value=str(b["key"]), count=int(b["doc_count"])) for b in buckets),
                key=lambda bucket: (-bucket.count, bucket.value),
            )
        return facets

    # -- lifecycle -------------------------------------------------------------------------

    def ready(self) -> bool:
        """True while the writer is held and the reader answers."""
        if self._writer is None:
            return False
        self._index.searcher()
        return True

    def close(self) -> None:
        """Finish merges and release the writer lock."""
        with self._lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                # Consumes the writer: its lock is released for the next process.
                writer.wait_merging_threads()

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("the index is closed")
        return self._writer


class _Highlighter:
    """Snippets for the title and body, from whichever language matched better."""

    def __init__(
        self, searcher: tantivy.Searcher, schema: tantivy.Schema, query: tantivy.Query | None
    ) -> None:
        self._generators: dict[str, list[tuple[str, tantivy.SnippetGenerator]]] = {}
        if query is None:
            return
        for label, fields, size in (
            ("title", (f.TITLE_FR, f.TITLE_EN), _TITLE_SNIPPET_CHARS),
            ("body", (f.BODY_FR, f.BODY_EN), _BODY_SNIPPET_CHARS),
        ):
            generators = []
            for field_name in fields:
                generator = tantivy.SnippetGenerator.create(searcher, query, schema, field_name)
                generator.set_max_num_chars(size)
                generators.append((field_name, generator))
            self._generators[label] = generators

    def highlights(self, stored: tantivy.Document) -> dict[str, list[str]]:
        texts = {"title": stored.get_first(f.TITLE_FR), "body": stored.get_first(f.BODY_FR)}
        result: dict[str, list[str]] = {"title": [], "body": []}
        for label, generators in self._generators.items():
            text = texts[label]
            if not isinstance(text, str) or not text:
                continue
            snippets = [
                generator.snippet_from_doc(tantivy.Document(**{field_name: [text]}))
                for field_name, generator in generators
            ]
            best = max(snippets, key=match_count)
            rendered = snippet_html(best)
            if rendered is not None:
                result[label] = [rendered]
        return result


def _hit(stored: tantivy.Document, score: float, highlights: dict[str, list[str]]) -> Hit:
    def text(name: str) -> str:
        value = stored.get_first(name)
        return value if isinstance(value, str) else ""

    created = stored.get_first(f.CREATED_AT)
    return Hit(
        id=text(f.ID),
        doc_type=DocumentType(text(f.DOC_TYPE)),
        post_id=text(f.POST_ID) or None,
        kind=text(f.KIND),
        space_id=text(f.SPACE_ID),
        author_id=text(f.AUTHOR_ID),
        title=text(f.TITLE_FR),
        score=score,
        created_at=created if isinstance(created, datetime) else datetime.fromtimestamp(0, UTC),
        highlights=highlights,
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
