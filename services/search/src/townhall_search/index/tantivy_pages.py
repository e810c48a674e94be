"""Reading tantivy's answers: a page in a fully determined order, facets, highlights, hits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import tantivy

from townhall_contracts.search import DocumentType, FacetBucket, Hit

from . import schema as f
from .backend import FACET_SIZES
from .highlight import (
    BODY_EXCERPT_CHARS,
    TITLE_EXCERPT_CHARS,
    WHOLE_TEXT_CHARS,
    excerpt_html,
    marks_of_snippet,
)
from .language import Language
from .shared import sort_buckets, utc

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A run of equal scores up to this size is ordered by reading its documents; a larger
# one by the creation dates of the fast field first.
FETCH_WHOLE_REGION = 256


def ordered_page(
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
    if not by_date and len(region) > FETCH_WHOLE_REGION:
        shift, region = dated_slice(searcher, query, region, first, first + limit)
        first -= shift
    run = [(score, searcher.doc(address)) for score, address in region]
    run.sort(key=lambda item: (-item[0], -_millis(item[1]), text_of(item[1], f.ID)))
    return total, run[first : first + limit]


def dated_slice(
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
    return (utc(created) - _EPOCH) // timedelta(milliseconds=1)


def facets(
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


class Highlighter:
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
        language = text_of(stored, f.LANGUAGE) or Language.FRENCH.value
        for label, fields, size in (
            ("title", f.TITLE, TITLE_EXCERPT_CHARS),
            ("body", f.BODY, BODY_EXCERPT_CHARS),
        ):
            field_name = fields.get(language, fields[Language.FRENCH.value])
            text = text_of(stored, field_name)
            if not text:
                continue
            snippet = self._generators[field_name].snippet_from_doc(stored)
            rendered = excerpt_html(text, marks_of_snippet(text, snippet), size)
            if rendered is not None:
                result[label] = [rendered]
        return result


def text_of(stored: tantivy.Document, name: str) -> str:
    value = stored.get_first(name)
    return value if isinstance(value, str) else ""


def stored_text(stored: tantivy.Document, fields: dict[str, str]) -> str:
    return next((text for name in fields.values() if (text := text_of(stored, name))), "")


def hit(stored: tantivy.Document, score: float, highlights: dict[str, list[str]]) -> Hit:
    created = stored.get_first(f.CREATED_AT)
    return Hit(
        id=text_of(stored, f.ID),
        doc_type=DocumentType(text_of(stored, f.DOC_TYPE)),
        post_id=text_of(stored, f.POST_ID) or None,
        kind=text_of(stored, f.KIND),
        space_id=text_of(stored, f.SPACE_ID),
        author_id=text_of(stored, f.AUTHOR_ID),
        title=stored_text(stored, f.TITLE),
        score=score,
        created_at=utc(created)
        if isinstance(created, datetime)
        else datetime.fromtimestamp(0, UTC),
        highlights=highlights,
    )
