"""What the search service needs of an index, whatever engine holds it.

The tantivy implementation is the embedded default; an OpenSearch one can sit
behind the same protocol. Both must honour the same rules: events apply in order
and only move a document's version forward, a deleted document leaves a
tombstone that keeps its version, and the readers filter is part of the query so
totals, facets and highlights never reveal an unreadable document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from townhall_contracts.search import FacetBucket, Hit, IndexEvent

# Facets every search answers, keyed by the document field they count.
FACET_FIELDS: tuple[str, ...] = ("kind", "space_id", "author_id")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One page of a search as seen by one caller."""

    text: str
    principals: frozenset[str]
    kind: str | None = None
    space_id: str | None = None
    author_id: str | None = None
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Hits of one page plus the total and facets of the whole permission-filtered match."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = field(
        default_factory=lambda: {name: [] for name in FACET_FIELDS}
    )


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """How many events of a batch changed the index and how many were stale."""

    applied: int
    skipped: int


class IndexBackend(Protocol):
    """An index of posts and comments, written by events and read by permission."""

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events in order, all or nothing; stale versions are skipped."""
        ...

    def search(self, query: SearchQuery) -> SearchPage:
        """Search what `query.principals` may read."""
        ...

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The stored version of each known document, tombstones included."""
        ...

    def ready(self) -> bool:
        """True when the index answers queries."""
        ...

    def close(self) -> None:
        """Release the index (and its writer lock)."""
        ...
