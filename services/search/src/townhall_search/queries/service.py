"""A user's search: their principals, the index, and the cursor for the next page."""

from __future__ import annotations

from dataclasses import dataclass

from townhall_contracts.search import SearchResults

from ..index import IndexBackend, SearchQuery
from .cursor import CursorCodec, CursorScope
from .principals import PrincipalsCache


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search as the user asked for it."""

    subject: str
    text: str = ""
    kind: str | None = None
    space_id: str | None = None
    author_id: str | None = None
    cursor: str | None = None
    limit: int = 20


def search(
    *,
    index: IndexBackend,
    principals: PrincipalsCache,
    cursors: CursorCodec,
    request: SearchRequest,
    max_result_window: int,
) -> SearchResults:
    """Search what the subject may read; the cursor resumes where the last page ended."""
    scope = CursorScope(
        subject=request.subject,
        text=request.text,
        kind=request.kind,
        space_id=request.space_id,
        author_id=request.author_id,
    )
    # The cursor is checked before policy is asked: a bad one costs nothing.
    offset = cursors.decode(request.cursor, scope) if request.cursor else 0
    readable = principals.readable_by(request.subject)
    # The codec never accepts an offset at or past the window, so the limit stays >= 1.
    limit = min(request.limit, max_result_window - offset)
    page = index.search(
        SearchQuery(
            text=request.text,
            principals=readable,
            kind=request.kind,
            space_id=request.space_id,
            author_id=request.author_id,
            offset=offset,
            limit=limit,
        )
    )
    end = offset + len(page.hits)
    more = bool(page.hits) and end < page.total and end < max_result_window
    return SearchResults(
        total=page.total,
        hits=page.hits,
        facets=page.facets,
        next_cursor=cursors.encode(end, scope) if more else None,
    )
