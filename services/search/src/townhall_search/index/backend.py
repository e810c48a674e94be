"""What the search service needs of an index, whatever engine holds it.

Two engines implement it: tantivy in a local directory (the embedded default) and
OpenSearch (production). Both honour the same rules, proven by one contract test
suite: events apply in order and only move a document's version forward; a deleted
document leaves a tombstone that keeps its version; the readers filter is part of
the query, so totals, facets, highlights and suggestions never reveal an
unreadable document; a rebuild fills a new index while the old one answers, then
switches atomically.

Relevance, the same on both engines, computed from the document and the query alone
(no statistics of the index: they would count documents the caller cannot read, see
docs/security.md): each matching clause adds a constant, a word in a title
`TITLE_WEIGHT`, in a body 1, with one typo (two from 9 letters, for a word of 5+
letters) `FUZZY_WEIGHT` of that, the last word being typed as a prefix `PREFIX_WEIGHT`
of it, a phrase 1. The free words are grouped into concepts (`expansion.py`): a
concept scores its best alternative (the words typed, or a synonym or translation
from the vocabulary at `SYNONYM_WEIGHT`), times a weight from how common its words
are in everyday language (`rarity.py`, a table, not the index); then
`OFFICIAL_BOOST` for official posts and `RECENT_BOOST` for documents created in the
last `RECENT_DAYS` days. Equal scores are ordered newest
first, then by id.

Typo expansion, the costly part of a query, applies to the first `MAX_TYPO_WORDS`
eligible words only. On tantivy it applies to a word only when no readable document
holds it (a known word is no typo) or when the exact words match fewer than
`TYPO_FALLBACK_HITS` readable documents; OpenSearch always expands, bounded its own way
(50 index terms a word).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from townhall_contracts.search import FacetBucket, Hit, IndexEvent

from .expansion import Vocabulary, default_vocabulary

# Facets a search may ask for, keyed by the document field they count. Each one is an
# aggregation over the whole permission-filtered match, the largest single cost of a
# search on a big index, so a search computes only those it names.
FACET_FIELDS: tuple[str, ...] = ("kind", "space_id", "author_id", "month")
FACET_SIZES: dict[str, int] = {"kind": 10, "space_id": 100, "author_id": 100, "month": 120}

TITLE_WEIGHT = 2.0
FUZZY_WEIGHT = 0.5
PREFIX_WEIGHT = 0.5
OFFICIAL_BOOST = 1.5
RECENT_BOOST = 0.5
RECENT_DAYS = 30
# tantivy expands known words to typos only when the exact words match fewer readable
# documents than this (a page: typos then fill it).
TYPO_FALLBACK_HITS = 20


class SortOrder(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One page of a search as seen by one caller."""

    text: str
    principals: frozenset[str]
    kind: str | None = None
    space_id: str | None = None
    author_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sort: SortOrder = SortOrder.RELEVANCE
    offset: int = 0
    limit: int = 20
    # Pages after the first only see documents indexed up to the first page's
    # moment, so new and changed documents do not shift later pages.
    as_of: datetime | None = None
    # The reference for the recency boost (now, or the first page's moment).
    now: datetime | None = None
    # The facets to count (names from `FACET_FIELDS`); none by default.
    facets: tuple[str, ...] = ()
    # Only these documents, when given (best bets).
    ids: tuple[str, ...] = ()
    # Never these documents (the best bets shown first: not again as ordinary hits).
    excluded_ids: tuple[str, ...] = ()
    # Synonyms, acronyms and translations the free words expand to, at query time.
    vocabulary: Vocabulary = field(default_factory=default_vocabulary)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Hits of one page plus the total and the asked-for facets of the whole
    permission-filtered match."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)
    # The index (generation) the page was read from, when the engine says so: a
    # cursor taken before a rebuild's switch must not page through the new index.
    generation: str | None = None


def no_facets(names: Iterable[str]) -> dict[str, list[FacetBucket]]:
    """An empty bucket list for each asked-for facet (nothing readable matched)."""
    return {name: [] for name in names}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A readable document whose title completes what the user is typing."""

    id: str
    title: str
    space_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """How many events of a batch changed the index and how many were stale."""

    applied: int
    skipped: int


class RebuildInProgress(RuntimeError):
    """A rebuild is already filling a new index."""


class NoRebuild(RuntimeError):
    """No rebuild is in progress."""


class IndexBackend(Protocol):
    """An index of posts and comments, written by events and read by permission."""

    name: str

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events in order; stale versions are skipped. During a rebuild the
        events also reach the new index, so nothing is lost at the switch."""
        ...

    def search(self, query: SearchQuery) -> SearchPage:
        """Search what `query.principals` may read."""
        ...

    def suggest(self, text: str, principals: frozenset[str], limit: int) -> list[Suggestion]:
        """Titles of readable documents that complete `text`."""
        ...

    def unknown_words(self, words: Sequence[str], principals: frozenset[str]) -> frozenset[str]:
        """The words (accents and case ignored) no document `principals` may read holds."""
        ...

    def texts(self, doc_ids: Sequence[str], principals: frozenset[str]) -> list[str]:
        """The title and body of each of `doc_ids` that `principals` may read."""
        ...

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The stored version of each known document, tombstones included."""
        ...

    def count(self) -> int:
        """Documents in the live index, tombstones included."""
        ...

    def watermark(self) -> tuple[int, int]:
        """The last event id applied (0 for none) and the number of documents, tombstones
        included, the live index holds with it, read together."""
        ...

    def damage(self) -> str | None:
        """Why the live index cannot be trusted (it could not be opened), until a
        rebuild replaces it; None when it opened."""
        ...

    def generation(self) -> str | None:
        """The name of the index searches read now (it changes at each rebuild)."""
        ...

    def start_rebuild(self) -> None:
        """Create an empty new index beside the live one; `RebuildInProgress` while a
        rebuild runs (on OpenSearch: on any instance)."""
        ...

    def load_rebuild(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Apply events to the new index only (the bulk of a rebuild)."""
        ...

    def finish_rebuild(self, watermark: int = 0, documents: int = 0) -> None:
        """Make the new index the live one, atomically, once it holds at least the
        `documents` loaded into it. It holds events through `watermark` (what the export
        reflected) or the live index's watermark, whichever is later."""
        ...

    def abort_rebuild(self) -> None:
        """Drop the new index; the live one is untouched."""
        ...

    def ready(self) -> bool:
        """True when the index answers queries."""
        ...

    def close(self) -> None:
        """Release the index."""
        ...
