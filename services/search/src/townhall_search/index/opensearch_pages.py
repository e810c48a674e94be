"""Reading OpenSearch's answers: hits with their highlights, facets, suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from townhall_contracts.search import DocumentType, FacetBucket, Hit

from .backend import SearchPage, Suggestion
from .highlight import BODY_EXCERPT_CHARS, TITLE_EXCERPT_CHARS, excerpt_html, marks_of_html
from .opensearch_documents import text_fields
from .shared import distinct_titles, sort_buckets


def page_of(answer: dict[str, Any], facets: tuple[str, ...], by_date: bool) -> SearchPage:
    """The page, total and asked-for `facets` of a `_search` answer."""
    hits = [_hit(raw, by_date) for raw in answer["hits"]["hits"]]
    aggregations = answer.get("aggregations", {})
    counted = {
        name: sort_buckets(
            FacetBucket(value=str(bucket["key"]), count=int(bucket["doc_count"]))
            for bucket in aggregations.get(name, {}).get("buckets", [])
        )
        for name in facets
    }
    return SearchPage(total=int(answer["hits"]["total"]["value"]), hits=hits, facets=counted)


def suggestions_of(answer: dict[str, Any], limit: int) -> list[Suggestion]:
    """The first `limit` distinct titles of a suggestion search's answer."""
    candidates = (
        Suggestion(
            id=raw["_id"],
            title=str(raw["_source"].get("title") or ""),
            space_id=str(raw["_source"].get("space_id", "")),
            kind=str(raw["_source"].get("kind", "")),
        )
        for raw in answer["hits"]["hits"]
    )
    return distinct_titles(candidates, limit)


def _hit(raw: dict[str, Any], by_date: bool) -> Hit:
    source = raw["_source"]
    found = raw.get("highlight", {})
    highlights: dict[str, list[str]] = {"title": [], "body": []}
    for label, size in (("title", TITLE_EXCERPT_CHARS), ("body", BODY_EXCERPT_CHARS)):
        marked = next((found[name][0] for name in text_fields(label) if found.get(name)), None)
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
