"""What both engines do alike, so that they answer alike: the month facet's values, the
order of facet buckets and of suggestions, the watermark document's id, UTC dates, the
text searched as a body."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from townhall_contracts.search import FacetBucket, IndexDocument

from .backend import Suggestion

# The id of the document whose version is the last event id applied: no document id of
# publishing starts with "~". Like a tombstone, it has no readers: no search matches it.
WATERMARK_ID = "~watermark"


def utc(moment: datetime) -> datetime:
    """`moment` with UTC as its time zone when it has none."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def month_of(moment: datetime) -> str:
    """The month facet's value of a date, e.g. `2025-03`."""
    # Formatted by hand: `strftime` costs as much as the rest of a document in a rebuild.
    moment = utc(moment)
    return f"{moment.year:04d}-{moment.month:02d}"


def searchable_body(document: IndexDocument) -> str:
    """The text searched as the document's body: its own, then its attachments' (a post
    is found by words of its PDF, and the excerpt shows them)."""
    if not document.attachment_text:
        return document.body
    return f"{document.body}\n\n{document.attachment_text}"


def sort_buckets(buckets: Iterable[FacetBucket]) -> list[FacetBucket]:
    """Most frequent first, then by value."""
    return sorted(buckets, key=lambda bucket: (-bucket.count, bucket.value))


def distinct_titles(candidates: Iterable[Suggestion], limit: int) -> list[Suggestion]:
    """The first `limit` candidates with a title, one per title (case ignored)."""
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for candidate in candidates:
        title = candidate.title.casefold()
        if not title or title in seen:
            continue
        seen.add(title)
        suggestions.append(candidate)
        if len(suggestions) == limit:
            break
    return suggestions
