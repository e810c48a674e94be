"""The production index: OpenSearch through opensearch-py.

An alias (`settings.opensearch_index`) names the live index; a rebuild fills a new
concrete index (`<alias>-<n>`) while searches read the alias, then one
`_aliases` call moves the alias atomically and the old index is deleted.

Versions use OpenSearch's external versioning: each event is written with
`version_type=external` and the document's version, so OpenSearch itself refuses
a version that is not newer (a 409 per item, counted as skipped). A deletion is
written as a tombstone document (no readers, `tombstone: true`) rather than a
delete, because OpenSearch forgets a deleted document's version after
`index.gc_deletes` (60 s) and a late older upsert would then bring it back.

Texts go to the fields of their detected language, analyzed by OpenSearch's
built-in `french` analyzer (elision, lowercase, stopwords, light stemmer, which
also folds French accents) and `english` analyzer (possessives, stopwords,
Porter stemmer); the `*_folded` fields (standard tokenizer, lowercase, ASCII
folding) serve prefixes and suggestions. Apostrophes are also followed by a
space before indexing: the `elision` filter then only confirms what the split
did, and servers without that filter (osmem, used by the tests) analyze French
the same way. Custom analyzer chains are avoided on purpose: osmem mis-analyzes
queries on a custom chain with a stemmer (every query matches), the built-in
analyzers behave.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from opensearchpy import NotFoundError, OpenSearch, helpers

from townhall_contracts.search import DocumentType, FacetBucket, Hit, IndexEvent, IndexOperation

from .backend import (
    FACET_SIZES,
    FUZZY_WEIGHT,
    OFFICIAL_BOOST,
    PREFIX_WEIGHT,
    RECENT_BOOST,
    RECENT_DAYS,
    TITLE_WEIGHT,
    ApplyOutcome,
    NoRebuild,
    RebuildInProgress,
    SearchPage,
    SearchQuery,
    SortOrder,
    Suggestion,
    no_facets,
)
from .highlight import BODY_EXCERPT_CHARS, TITLE_EXCERPT_CHARS, excerpt_html, marks_of_html
from .language import Language, detect_languages
from .query_text import ParsedQuery, fold, fuzzy_distance, parse, typo_candidates, words_of
from .tantivy_backend import month_of, sort_buckets

log = structlog.get_logger("townhall.search.opensearch")

_APOSTROPHE = re.compile(r"(['\u2019\u02bc])")
_GENERATION = re.compile(r"-(\d{6})$")
_LANGUAGES = (Language.FRENCH.value, Language.ENGLISH.value)
_CHUNK = 1000
# The id of the document whose version is the last event id applied (see tantivy's).
WATERMARK_ID = "~watermark"
# OpenSearch's own bound (its default) on the index terms one typo-tolerant word expands to.
FUZZY_MAX_EXPANSIONS = 50

_TEXT = {"type": "text", "index": False}
_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}

INDEX_BODY: dict[str, Any] = {
    "settings": {
        "number_of_shards": 1,
        "analysis": {
            "analyzer": {
                "townhall_folded": {
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding"],
                },
            },
        },
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            **{
                name: _KEYWORD
                for name in (
                    "doc_type",
                    "post_id",
                    "kind",
                    "space_id",
                    "author_id",
                    "state",
                    "month",
                    "language",
                    "authority",
                    "tags",
                    "readers",
                )
            },
            "tombstone": {"type": "boolean"},
            "created_at": _DATE,
            "updated_at": _DATE,
            "indexed_at": _DATE,
            "title": _TEXT,
            "title_fr": {"type": "text", "analyzer": "french"},
            "body_fr": {"type": "text", "analyzer": "french"},
            "title_en": {"type": "text", "analyzer": "english"},
            "body_en": {"type": "text", "analyzer": "english"},
            "title_folded": {"type": "text", "analyzer": "townhall_folded"},
            "body_folded": {"type": "text", "analyzer": "townhall_folded"},
        },
    },
}


def split_elisions(text: str) -> str:
    """`l'été` becomes `l' été`, so the elided article is a word of its own."""
    return _APOSTROPHE.sub(r"\1 ", text)


class OpenSearchIndex:
    """An `IndexBackend` on an OpenSearch cluster, behind an alias."""

    name = "opensearch"

    def __init__(self, client: OpenSearch, alias: str, live: str) -> None:
        self._client = client
        self._alias = alias
        self._live = live
        self._building: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str, *, alias: str, timeout: float = 10.0) -> OpenSearchIndex:
        """Connect, and create the first index behind the alias when there is none."""
        client = OpenSearch(hosts=[url], timeout=timeout, http_compress=False)
        try:
            live = next(iter(client.indices.get_alias(name=alias)))
        except NotFoundError:
            live = f"{alias}-000001"
            if not client.indices.exists(index=live):
                client.indices.create(index=live, body=INDEX_BODY)
            client.indices.put_alias(index=live, name=alias)
        log.info("index_opened", url=url, alias=alias, index=live)
        return cls(client, alias, live)

    # -- writing ---------------------------------------------------------------------------

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Write every event with its version; OpenSearch refuses the stale ones. The
        batch's last event id goes last, as the version of the watermark document."""
        actions = self._actions(events)
        watermark = max((event.event_id for event in events), default=0)
        if watermark:
            actions.append(_watermark_action(watermark))
        with self._lock:
            outcome = self._bulk(self._live, actions)
            if self._building is not None:
                self._bulk(self._building, actions)

        log.info("index_events_applied", applied=outcome.applied, skipped=outcome.skipped)
        return outcome

    def _actions(self, events: Sequence[IndexEvent]) -> list[dict[str, Any]]:
        indexed_at = datetime.now(UTC).isoformat()
        contents = [
            event.document
            for event in events
            if event.op is IndexOperation.UPSERT and event.document and event.document.readers
        ]
        languages = iter(detect_languages([(doc.title, doc.body) for doc in contents]))
        actions = []
        for event in events:
            document = event.document
            source: dict[str, Any] = {"indexed_at": indexed_at, "tombstone": True}
            if event.op is IndexOperation.UPSERT and document and document.readers:
                language = next(languages).value
                title, body = split_elisions(document.title), split_elisions(document.body)
                source = {
                    "indexed_at": indexed_at,
                    "tombstone": False,
                    "doc_type": document.doc_type.value,
                    "post_id": document.post_id,
                    "kind": document.kind,
                    "space_id": document.space_id,
                    "author_id": document.author_id,
                    "state": document.state,
                    "month": month_of(document.created_at),
                    "language": language,
                    "authority": document.authority,
                    "tags": document.tags,
                    "readers": sorted(set(document.readers)),
                    "created_at": _utc(document.created_at).isoformat(),
                    "updated_at": _utc(document.updated_at).isoformat(),
                    "title": document.title,
                    f"title_{language}": title,
                    f"body_{language}": body,
                    "title_folded": title,
                    "body_folded": body,
                }
            actions.append(
                {
                    "_op_type": "index",
                    "_id": event.doc_id,
                    "version": event.version,
                    "version_type": "external",
                    "_source": source,
                }
            )
        return actions

    def _bulk(self, index: str, actions: list[dict[str, Any]]) -> ApplyOutcome:
        applied = skipped = 0
        failures = []
        for ok, item in helpers.streaming_bulk(
            self._client,
            ({**action, "_index": index} for action in actions),
            chunk_size=_CHUNK,
            raise_on_error=False,
            refresh="wait_for",
        ):
            result = item.get("index", {})
            if result.get("_id") == WATERMARK_ID:
                # Not an event: an older watermark (409) is simply kept.
                if not ok and result.get("status") != 409:
                    failures.append(result)
                continue
            if ok:
                applied += 1
            elif result.get("status") == 409:
                skipped += 1
            else:
                failures.append(result)
        if failures:
            raise RuntimeError(f"OpenSearch refused {len(failures)} documents: {failures[:3]}")
        return ApplyOutcome(applied=applied, skipped=skipped)

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The stored (external) version of each known document, tombstones included."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        answer = self._client.mget(index=self._live, body={"ids": ids}, _source=False)
        return {doc["_id"]: int(doc["_version"]) for doc in answer["docs"] if doc.get("found")}

    def count(self) -> int:
        """Documents in the live index, tombstones included."""
        return self.watermark()[1]

    def watermark(self) -> tuple[int, int]:
        """The last event id applied and the documents the live index holds with it."""
        with self._lock:
            self._client.indices.refresh(index=self._live)
            watermark = self.versions([WATERMARK_ID]).get(WATERMARK_ID, 0)
            documents = int(self._client.count(index=self._live)["count"])
        return watermark, documents - (1 if watermark else 0)

    def damage(self) -> str | None:
        """None: OpenSearch keeps its own indexes whole (a lost one is found by the
        watermark check)."""
        return None

    # -- rebuilding ------------------------------------------------------------------------

    def start_rebuild(self) -> None:
        """Create the next concrete index; the alias still names the live one."""
        with self._lock:
            if self._building is not None:
                raise RebuildInProgress("a rebuild is already in progress")
            match = _GENERATION.search(self._live)
            number = int(match.group(1)) + 1 if match else 2
            target = f"{self._alias}-{number:06d}"
            if self._client.indices.exists(index=target):
                self._client.indices.delete(index=target)
            self._client.indices.create(index=target, body=INDEX_BODY)
            self._building = target
        log.info("index_rebuild_started", index=target)

    def load_rebuild(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Write events to the index being built only."""
        actions = self._actions(events)
        with self._lock:
            if self._building is None:
                raise NoRebuild("no rebuild is in progress")
            return self._bulk(self._building, actions)

    def finish_rebuild(self, watermark: int = 0) -> None:
        """Move the alias in one atomic `_aliases` call, then delete the old index."""
        with self._lock:
            building, old = self._building, self._live
            if building is None:
                raise NoRebuild("no rebuild is in progress")
            live_watermark = self.versions([WATERMARK_ID]).get(WATERMARK_ID, 0)
            later = max(watermark, live_watermark)
            if later:
                self._bulk(building, [_watermark_action(later)])
            self._client.indices.refresh(index=building)
            self._client.indices.update_aliases(
                body={
                    "actions": [
                        {"remove": {"index": old, "alias": self._alias}},
                        {"add": {"index": building, "alias": self._alias}},
                    ]
                }
            )
            self._live, self._building = building, None
        self._client.indices.delete(index=old, ignore_unavailable=True)
        log.info("index_rebuild_switched", index=building)

    def abort_rebuild(self) -> None:
        """Delete the index being built."""
        with self._lock:
            building, self._building = self._building, None
        if building is not None:
            self._client.indices.delete(index=building, ignore_unavailable=True)

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of hits, the total and the facets, all within the readers filter."""
        if not query.principals:
            return SearchPage(total=0, hits=[], facets=no_facets(query.facets))
        parsed = parse(query.text)
        text_query = _text_query(parsed)
        filters: list[dict[str, Any]] = [{"terms": {"readers": sorted(query.principals)}}]
        for field_name, value in (
            ("kind", query.kind),
            ("space_id", query.space_id),
            ("author_id", query.author_id),
        ):
            if value is not None:
                filters.append({"term": {field_name: value}})
        if query.created_from is not None or query.created_to is not None:
            filters.append({"range": {"created_at": _range(query.created_from, query.created_to)}})
        if query.as_of is not None:
            filters.append({"range": {"indexed_at": _range(None, query.as_of)}})
        boolean: dict[str, Any] = {"filter": filters}
        if text_query is not None:
            boolean["must"] = [text_query]
        by_date = text_query is None or query.sort is SortOrder.DATE
        if not by_date:
            now = query.now or datetime.now(UTC)
            boolean["should"] = [
                {
                    "constant_score": {
                        "filter": {"term": {"kind": "official"}},
                        "boost": OFFICIAL_BOOST,
                    }
                },
                {
                    "constant_score": {
                        "filter": {
                            "range": {"created_at": _range(now - timedelta(days=RECENT_DAYS), None)}
                        },
                        "boost": RECENT_BOOST,
                    }
                },
            ]
        sort: list[Any] = (
            [{"created_at": "desc"}, {"_id": "asc"}]
            if by_date
            else [{"_score": "desc"}, {"created_at": "desc"}, {"_id": "asc"}]
        )
        body: dict[str, Any] = {
            "query": {"bool": boolean},
            "from": query.offset,
            "size": query.limit,
            "sort": sort,
            "track_total_hits": True,
            "_source": [
                "doc_type",
                "post_id",
                "kind",
                "space_id",
                "author_id",
                "title",
                "created_at",
            ],
        }
        if query.facets:
            body["aggs"] = {
                name: {"terms": {"field": name, "size": FACET_SIZES[name]}} for name in query.facets
            }
        if text_query is not None:
            body["highlight"] = _HIGHLIGHT
        answer = self._client.search(index=self._alias, body=body)
        hits = [_hit(raw, by_date) for raw in answer["hits"]["hits"]]
        facets = {
            name: sort_buckets(
                FacetBucket(value=str(bucket["key"]), count=int(bucket["doc_count"]))
                for bucket in answer.get("aggregations", {}).get(name, {}).get("buckets", [])
            )
            for name in query.facets
        }
        return SearchPage(total=int(answer["hits"]["total"]["value"]), hits=hits, facets=facets)

    def suggest(self, text: str, principals: frozenset[str], limit: int) -> list[Suggestion]:
        """Readable titles whose words start with what is typed."""
        words = [fold(word) for word in words_of(text)]
        if not principals or not words:
            return []
        *complete, last = words
        must: list[dict[str, Any]] = [{"prefix": {"title_folded": last}}]
        must += [{"term": {"title_folded": word}} for word in complete]
        answer = self._client.search(
            index=self._alias,
            body={
                "query": {
                    "bool": {"must": must, "filter": [{"terms": {"readers": sorted(principals)}}]}
                },
                "size": limit * 3,
                "sort": [{"created_at": "desc"}, {"_id": "asc"}],
                "_source": ["title", "space_id", "kind"],
            },
        )
        suggestions: list[Suggestion] = []
        seen: set[str] = set()
        for raw in answer["hits"]["hits"]:
            source = raw["_source"]
            title = str(source.get("title") or "")
            if not title or title.casefold() in seen:
                continue
            seen.add(title.casefold())
            suggestions.append(
                Suggestion(
                    id=raw["_id"],
                    title=title,
                    space_id=str(source.get("space_id", "")),
                    kind=str(source.get("kind", "")),
                )
            )
            if len(suggestions) == limit:
                break
        return suggestions

    # -- lifecycle -------------------------------------------------------------------------

    def ready(self) -> bool:
        """True when the cluster answers and the alias exists."""
        try:
            return bool(self._client.indices.exists_alias(name=self._alias))
        except Exception:
            return False

    def close(self) -> None:
        """Drop a rebuild in progress and close the connections."""
        self.abort_rebuild()
        self._client.close()


# Whole fields, marked: the excerpt is chosen by `excerpt_html`, from the document alone.
_HIGHLIGHT: dict[str, Any] = {
    "encoder": "html",
    "pre_tags": ["<b>"],
    "post_tags": ["</b>"],
    "fields": {
        f"{kind}_{lang}": {"number_of_fragments": 0}
        for kind in ("title", "body")
        for lang in _LANGUAGES
    },
}


def _fields(kind: str) -> list[str]:
    return [f"{kind}_{lang}" for lang in _LANGUAGES]


def _watermark_action(watermark: int) -> dict[str, Any]:
    # A tombstone whose external version is the watermark: OpenSearch keeps the highest.
    return {
        "_op_type": "index",
        "_id": WATERMARK_ID,
        "version": watermark,
        "version_type": "external",
        "_source": {"indexed_at": datetime.now(UTC).isoformat(), "tombstone": True},
    }


def _scored(clause: dict[str, Any], weight: float) -> dict[str, Any]:
    """A clause that adds `weight` when it matches: no statistics of the index enter."""
    return {"constant_score": {"filter": clause, "boost": weight}}


def _word_query(word: str, *, fuzzy: bool) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    distance = fuzzy_distance(word) if fuzzy else 0
    for kind, weight in (("title", TITLE_WEIGHT), ("body", 1.0)):
        for field_name in _fields(kind):
            clauses.append(_scored({"match": {field_name: {"query": word}}}, weight))
            if distance:
                typo = {
                    "query": word,
                    "fuzziness": distance,
                    "max_expansions": FUZZY_MAX_EXPANSIONS,
                }
                clauses.append(_scored({"match": {field_name: typo}}, weight * FUZZY_WEIGHT))
    return {"bool": {"should": clauses}}


def _text_query(parsed: ParsedQuery) -> dict[str, Any] | None:
    if parsed.is_empty:
        return {"match_none": {}} if parsed.excluded else None
    typos = frozenset(typo_candidates(parsed))
    should: list[dict[str, Any]] = []
    for word in parsed.words:
        clause = _word_query(word, fuzzy=word in typos)
        if word == parsed.words[-1] and parsed.prefix:
            clause = {
                "bool": {
                    "should": [
                        clause,
                        _scored(
                            {"prefix": {"title_folded": parsed.prefix}},
                            PREFIX_WEIGHT * TITLE_WEIGHT,
                        ),
                        _scored({"prefix": {"body_folded": parsed.prefix}}, PREFIX_WEIGHT),
                    ]
                }
            }
        should.append(clause)
    must = [_word_query(word, fuzzy=word in typos) for word in parsed.required]
    must += [
        _scored(
            {
                "bool": {
                    "should": [
                        {"match_phrase": {field_name: " ".join(phrase)}}
                        for field_name in _fields("title") + _fields("body")
                    ]
                }
            },
            1.0,
        )
        for phrase in parsed.phrases
    ]
    must_not = [_word_query(word, fuzzy=False) for word in parsed.excluded]
    boolean: dict[str, Any] = {"should": should, "must": must, "must_not": must_not}
    if not must:
        boolean["minimum_should_match"] = 1
    return {"bool": boolean}


def _range(lower: datetime | None, upper: datetime | None) -> dict[str, str]:
    bounds = {}
    if lower is not None:
        bounds["gte"] = _utc(lower).isoformat()
    if upper is not None:
        bounds["lte"] = _utc(upper).isoformat()
    return bounds


def _hit(raw: dict[str, Any], by_date: bool) -> Hit:
    source = raw["_source"]
    found = raw.get("highlight", {})
    highlights: dict[str, list[str]] = {"title": [], "body": []}
    for label, size in (("title", TITLE_EXCERPT_CHARS), ("body", BODY_EXCERPT_CHARS)):
        marked = next((found[name][0] for name in _fields(label) if found.get(name)), None)
        if marked is not None:
            rendered = excerpt_html(*marks_of_html(marked), size)
            if rendered is not None:
                highlights[label] = [rendered]
    return Hit(
        id=raw["_id"],
        doc_type=DocumentType(source["doc_type"]),
        post_id=source.get("post_id"),
        kind=source["kind"],
        space_id=source["space_id"],
        author_id=source["author_id"],
        title=source.get("title") or "",
        score=1.0 if by_date else float(raw.get("_score") or 0.0),
        created_at=datetime.fromisoformat(source["created_at"]),
        highlights=highlights,
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
