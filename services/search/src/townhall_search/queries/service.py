"""A user's search: their principals, the index, and the cursor for the next page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from townhall_clients import CachedPolicy
from townhall_contracts.search import SearchResults

from ..index import IndexBackend, SearchPage, SearchQuery, SortOrder
from ..index.expansion import default_vocabulary
from ..index.query_text import MAX_QUERY_WORDS, distinct_words, parse
from ..vocabulary.service import Current
from . import refinements
from .cursor import CursorCodec, CursorScope
from .errors import CursorExpired, InvalidDateRange, QueryTooComplex
from .schemas import SuggestionRead, Suggestions


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search as the user asked for it."""

    subject: str
    text: str = ""
    kind: str | None = None
    space_id: str | None = None
    author_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: SortOrder = SortOrder.RELEVANCE
    cursor: str | None = None
    limit: int = 20
    facets: tuple[str, ...] = ()


def search(
    *,
    index: IndexBackend,
    policy: CachedPolicy,
    cursors: CursorCodec,
    request: SearchRequest,
    max_result_window: int,
    vocabulary: Current | None = None,
) -> SearchResults:
    """Search what the subject may read; the cursor resumes where the last page ended.
    The first page starts with the best bets and may suggest a correction."""
    created_from, created_to, scope = _checked(request)
    # The cursor is checked before policy is asked: a bad one costs nothing.
    position = cursors.decode_position(request.cursor, scope) if request.cursor else None
    offset = position.offset if position else 0
    # The first page fixes the snapshot every later page reads.
    as_of = position.as_of if position and position.as_of else datetime.now(UTC)
    readable = policy.readable_by(request.subject)
    # The codec never accepts an offset at or past the window, so the limit stays >= 1.
    limit = min(request.limit, max_result_window - offset)
    current = vocabulary or Current(default_vocabulary())
    query = SearchQuery(
        text=request.text,
        principals=readable,
        kind=request.kind,
        space_id=request.space_id,
        author_id=request.author_id,
        created_from=created_from,
        created_to=created_to,
        sort=request.sort,
        offset=offset,
        limit=limit,
        as_of=as_of if position else None,
        now=as_of,
        facets=request.facets,
        vocabulary=current.vocabulary,
    )
    return _first_or_later_page(
        index,
        query,
        current,
        first=position is None,
        issued_on=position.generation if position else None,
        cursor=lambda end, generation: cursors.encode(end, scope, as_of, generation),
        max_result_window=max_result_window,
    )


def _checked(request: SearchRequest) -> tuple[datetime | None, datetime | None, CursorScope]:
    """The request's dates in UTC and its cursor scope, once its text and dates are valid."""
    if distinct_words(request.text) > MAX_QUERY_WORDS:
        raise QueryTooComplex(
            f"The query holds more than {MAX_QUERY_WORDS} different words; search with fewer."
        )
    created_from = _utc(request.created_from)
    created_to = _utc(request.created_to)
    if created_from is not None and created_to is not None and created_from > created_to:
        raise InvalidDateRange("`from` must not be after `to`.")
    scope = CursorScope(
        subject=request.subject,
        text=request.text,
        kind=request.kind,
        space_id=request.space_id,
        author_id=request.author_id,
        created_from=created_from.isoformat() if created_from else None,
        created_to=created_to.isoformat() if created_to else None,
        sort=request.sort.value,
    )
    return created_from, created_to, scope


def _first_or_later_page(
    index: IndexBackend,
    query: SearchQuery,
    current: Current,
    *,
    first: bool,
    issued_on: str | None,
    cursor: Callable[[int, str | None], str],
    max_result_window: int,
) -> SearchResults:
    """One page; the first leads with the best bets (keeping its size) and may carry a
    correction. Every page leaves the best bets out of its ordinary hits, so that a bet
    shown first never comes again on a later page, and offsets count the same hits on
    every page."""
    parsed = parse(query.text)
    bets = refinements.best_bets(index, query, parsed, current)
    bet_ids = tuple(hit.id for hit in bets)
    shown = bets if first else []
    ordinary = replace(query, excluded_ids=bet_ids, limit=max(1, query.limit - len(shown)))
    page = index.search(ordinary if bets else query)
    _check_generation(index, page, issued_on)
    end = query.offset + len(page.hits)
    more = bool(page.hits) and end < page.total and end < max_result_window
    return SearchResults(
        total=page.total + len(bets),
        hits=shown + page.hits,
        facets=page.facets,
        next_cursor=cursor(end, page.generation) if more else None,
        did_you_mean=refinements.did_you_mean(index, query, parsed, page.hits) if first else None,
    )


def _check_generation(index: IndexBackend, page: SearchPage, issued_on: str | None) -> None:
    """`CursorExpired` when the page was not read from the index the cursor was issued
    on (a rebuild switched meanwhile); an empty page asks the index which it reads."""
    if not issued_on:
        return
    current = page.generation or index.generation()
    if current != issued_on:
        raise CursorExpired(
            "The index was rebuilt since this cursor was issued; search again from the first page."
        )


def suggest(
    *, index: IndexBackend, policy: CachedPolicy, subject: str, text: str, limit: int
) -> Suggestions:
    """Titles the subject may read that complete `text`."""
    if not text.strip():
        return Suggestions(suggestions=[])
    readable = policy.readable_by(subject)
    found = index.suggest(text, readable, limit)
    return Suggestions(
        suggestions=[
            SuggestionRead(id=s.id, title=s.title, space_id=s.space_id, kind=s.kind) for s in found
        ]
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
