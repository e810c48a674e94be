"""OpenSearch queries: the words in each language's fields, typos, prefixes, phrases,
within the readers filter; scores are constants (`constant_score`), from the document
and the query alone (see `backend.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .backend import (
    FACET_SIZES,
    FUZZY_WEIGHT,
    OFFICIAL_BOOST,
    PREFIX_WEIGHT,
    RECENT_BOOST,
    RECENT_DAYS,
    TITLE_WEIGHT,
    SearchQuery,
    SortOrder,
)
from .expansion import SYNONYM_WEIGHT, TERM_SLOP, Concept, Vocabulary, expand
from .opensearch_documents import LANGUAGES, text_fields
from .query_text import ParsedQuery, fold, fuzzy_distance, parse, typo_candidates
from .shared import utc

# OpenSearch's own bound (its default) on the index terms one typo-tolerant word expands to.
FUZZY_MAX_EXPANSIONS = 50
# What a hit needs of a document's source.
HIT_SOURCE = ["doc_type", "post_id", "kind", "space_id", "author_id", "title", "created_at"]


# Whole fields, marked: the excerpt is chosen by `excerpt_html`, from the document alone.
_HIGHLIGHT: dict[str, Any] = {
    "encoder": "html",
    "pre_tags": ["<b>"],
    "post_tags": ["</b>"],
    "fields": {
        f"{kind}_{lang}": {"number_of_fragments": 0}
        for kind in ("title", "body")
        for lang in LANGUAGES
    },
}


def _scored(clause: dict[str, Any], weight: float) -> dict[str, Any]:
    """A clause that adds `weight` when it matches: no statistics of the index enter."""
    return {"constant_score": {"filter": clause, "boost": weight}}


def _word_query(word: str, *, fuzzy: bool) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    distance = fuzzy_distance(word) if fuzzy else 0
    for kind, weight in (("title", TITLE_WEIGHT), ("body", 1.0)):
        for field_name in text_fields(kind):
            clauses.append(_scored({"match": {field_name: {"query": word}}}, weight))
            if distance:
                typo = {
                    "query": word,
                    "fuzziness": distance,
                    "max_expansions": FUZZY_MAX_EXPANSIONS,
                }
                clauses.append(_scored({"match": {field_name: typo}}, weight * FUZZY_WEIGHT))
    return {"bool": {"should": clauses}}


def _phrase_term(words: Sequence[str]) -> dict[str, Any]:
    """Several words as a phrase in any language's title or body, title weighing more."""
    text = " ".join(words)
    return {
        "bool": {
            "should": [
                _scored({"match_phrase": {name: {"query": text, "slop": TERM_SLOP}}}, weight)
                for kind, weight in (("title", TITLE_WEIGHT), ("body", 1.0))
                for name in text_fields(kind)
            ]
        }
    }


def _term_query(term: Sequence[str], *, fuzzy: bool) -> dict[str, Any]:
    return _word_query(term[0], fuzzy=fuzzy) if len(term) == 1 else _phrase_term(term)


def _concept_query(concept: Concept, typos: frozenset[str]) -> dict[str, Any]:
    """The best of the concept's alternatives, weighed by the concept's weight."""
    typed = concept.typed
    alternatives = [_term_query(typed, fuzzy=len(typed) == 1 and typed[0] in typos)]
    alternatives += [
        {"bool": {"should": [_term_query(term, fuzzy=False)], "boost": SYNONYM_WEIGHT}}
        for term in concept.alternatives
    ]
    return {"dis_max": {"queries": alternatives, "boost": concept.weight}}


def _text_query(parsed: ParsedQuery, vocabulary: Vocabulary, raw: str) -> dict[str, Any] | None:
    if parsed.is_empty:
        return {"match_none": {}} if parsed.excluded else None
    typos = frozenset(typo_candidates(parsed))
    should = [_concept_query(concept, typos) for concept in expand(parsed, vocabulary, raw)]
    if parsed.prefix:
        should += [
            _scored({"prefix": {"title_folded": parsed.prefix}}, PREFIX_WEIGHT * TITLE_WEIGHT),
            _scored({"prefix": {"body_folded": parsed.prefix}}, PREFIX_WEIGHT),
        ]
    must = [_word_query(word, fuzzy=word in typos) for word in parsed.required]
    must += [
        _scored(
            {
                "bool": {
                    "should": [
                        {"match_phrase": {field_name: " ".join(phrase)}}
                        for field_name in text_fields("title") + text_fields("body")
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
        bounds["gte"] = utc(lower).isoformat()
    if upper is not None:
        bounds["lte"] = utc(upper).isoformat()
    return bounds


def search_body(query: SearchQuery) -> tuple[dict[str, Any], bool]:
    """The `_search` body of one page, and whether it is ordered by date (no text, or
    asked so) rather than by score."""
    text_query = _text_query(parse(query.text), query.vocabulary, query.text)
    boolean: dict[str, Any] = {"filter": _filters(query)}
    if query.excluded_ids:
        boolean["must_not"] = [{"ids": {"values": list(query.excluded_ids)}}]
    if text_query is not None:
        boolean["must"] = [text_query]
    by_date = text_query is None or query.sort is SortOrder.DATE
    if not by_date:
        boolean["should"] = _boosts(query.now or datetime.now(UTC))
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
        "_source": HIT_SOURCE,
    }
    if query.facets:
        body["aggs"] = {
            name: {"terms": {"field": name, "size": FACET_SIZES[name]}} for name in query.facets
        }
    if text_query is not None:
        body["highlight"] = _HIGHLIGHT
    return body, by_date


def suggest_body(words: list[str], principals: frozenset[str], size: int) -> dict[str, Any]:
    """Readable documents whose folded title holds `words`, the last one as a prefix."""
    *complete, last = words
    must: list[dict[str, Any]] = [{"prefix": {"title_folded": last}}]
    must += [{"term": {"title_folded": word}} for word in complete]
    return {
        "query": {"bool": {"must": must, "filter": [{"terms": {"readers": sorted(principals)}}]}},
        "size": size,
        "sort": [{"created_at": "desc"}, {"_id": "asc"}],
        "_source": ["title", "space_id", "kind"],
    }


def held_body(word: str, principals: frozenset[str]) -> dict[str, Any]:
    """Whether a readable document holds `word` (folded, whole) in its title or body."""
    held = [{"term": {name: fold(word)}} for name in ("title_folded", "body_folded")]
    return {
        "query": {
            "bool": {
                "should": held,
                "minimum_should_match": 1,
                "filter": [{"terms": {"readers": sorted(principals)}}],
            }
        },
        "size": 0,
        "track_total_hits": True,
    }


TEXT_SOURCE = tuple(f"body_{lang}" for lang in LANGUAGES)


def texts_body(doc_ids: Sequence[str], principals: frozenset[str]) -> dict[str, Any]:
    """The stored texts of the readable ones of `doc_ids`."""
    filters = [{"ids": {"values": list(doc_ids)}}, {"terms": {"readers": sorted(principals)}}]
    return {
        "query": {"bool": {"filter": filters}},
        "size": len(doc_ids),
        "_source": ["title", *TEXT_SOURCE],
    }


def _filters(query: SearchQuery) -> list[dict[str, Any]]:
    """The readers filter first, then the caller's own."""
    filters: list[dict[str, Any]] = [{"terms": {"readers": sorted(query.principals)}}]
    if query.ids:
        filters.append({"ids": {"values": list(query.ids)}})
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
    return filters


def _boosts(now: datetime) -> list[dict[str, Any]]:
    """Official documents and those created lately score higher."""
    recent = {"range": {"created_at": _range(now - timedelta(days=RECENT_DAYS), None)}}
    return [
        {"constant_score": {"filter": {"term": {"kind": "official"}}, "boost": OFFICIAL_BOOST}},
        {"constant_score": {"filter": recent, "boost": RECENT_BOOST}},
    ]
