"""Nothing a caller observes depends on documents they cannot read (issue 14, case 9).

Two indexes hold the same readable documents, applied in the same order; the second
also holds random restricted documents (random words, lengths, dates, kinds),
interleaved with them. For a caller who cannot read the restricted documents, every
search (relevance and date order, pages, typos, prefixes, required words, phrases,
filters) and every suggestion must answer byte for byte the same on both: hits and
their scores, order, highlights, facets and totals. Before the fix, BM25 statistics
over the whole index (a word's rarity, the average length of a field), the typo
expansion of words "no document holds" and the highlighter's term weights all
reached the caller.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall_contracts.search import DocumentType, IndexDocument, IndexEvent, IndexOperation
from townhall_search.index import (
    FACET_FIELDS,
    IndexBackend,
    SearchQuery,
    SortOrder,
    tantivy_pages,
)

CALLER = frozenset({"org", "user:david"})
RESTRICTED = ["space:hr-confidential", "auditor:org", "user:chloe"]
# Near words (one or two edits apart) on purpose: typo expansion must not tell them apart
# differently when unreadable documents hold some of them.
VOCABULARY = [
    "budget",
    "budgets",
    "bugdet",
    "planning",
    "planing",
    "réunion",
    "reunion",
    "sécurité",
    "securite",
    "informatique",
    "informatiques",
    "projet",
    "projets",
    "tulipe",
    "zebra",
    "le",
    "the",
]
BASE_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
NOW = BASE_TIME + timedelta(days=40)

texts = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=40).map(" ".join)


@st.composite
def documents(draw: st.DrawFn, prefix: str, count: int, readers: list[str]) -> list[IndexDocument]:
    made = []
    for n in range(count):
        made.append(
            IndexDocument(
                id=f"{prefix}{n}",
                doc_type=DocumentType.POST,
                kind=draw(st.sampled_from(["social", "official"])),
                space_id=draw(st.sampled_from(["engineering", "cafe"]))
                if prefix == "r"
                else "hr-confidential",
                author_id=draw(st.sampled_from(["alice", "bob"])),
                title=draw(texts),
                body=draw(texts),
                state="published",
                readers=readers,
                # Few distinct moments: ties in the order are common, as in real data.
                created_at=BASE_TIME + timedelta(days=draw(st.integers(0, 3)) * 13),
                updated_at=BASE_TIME,
            )
        )
    return made


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[IndexDocument], list[IndexDocument], list[int]]:
    readable = draw(documents("r", draw(st.integers(1, 8)), ["org", "user:alice"]))
    hidden = draw(documents("h", draw(st.integers(1, 8)), RESTRICTED))
    # Where each restricted document goes among the readable ones.
    slots = draw(
        st.lists(st.integers(0, len(readable)), min_size=len(hidden), max_size=len(hidden))
    )
    return readable, hidden, slots


QUERIES: list[dict[str, object]] = [
    {"text": "budget "},
    {"text": "budget planning securite "},
    {"text": "bugdet "},
    {"text": "informatiqeus "},
    {"text": "projet reunion"},
    {"text": "+planning projet "},
    {"text": '"sécurité informatique" '},
    {"text": "-zebra budget "},
    {"text": "sec"},
    {"text": "le "},
    {"text": ""},
    {"text": "planning ", "sort": SortOrder.DATE},
    {"text": "budget ", "kind": "official"},
    {"text": "budget projet ", "offset": 2, "limit": 3},
    {"text": "tulipe zebra ", "offset": 1, "limit": 1},
]


def _events(documents: list[IndexDocument]) -> list[IndexEvent]:
    return [
        IndexEvent(event_id=n + 1, op=IndexOperation.UPSERT, doc_id=d.id, version=1, document=d)
        for n, d in enumerate(documents)
    ]


def _answers(index: IndexBackend) -> list[str]:
    answers = []
    for query in QUERIES:
        page = index.search(
            SearchQuery(principals=CALLER, facets=FACET_FIELDS, now=NOW, **query)  # type: ignore[arg-type]
        )
        answers.append(
            repr((page.total, [hit.model_dump_json() for hit in page.hits], page.facets))
        )
    for typed in ("b", "bu", "sécu", "projet pl", "planing"):
        answers.append(repr(index.suggest(typed, CALLER, 8)))
    return answers


def _build(
    opener: Callable[[], IndexBackend], ordered: list[IndexDocument], batches: int
) -> IndexBackend:
    index = opener()
    events = _events(ordered)
    size = max(1, len(events) // batches)
    for start in range(0, len(events), size):
        index.apply(events[start : start + size])
    return index


@pytest.mark.parametrize(
    ("engine", "examples"),
    [("tantivy", 40), ("tantivy-dated", 25), ("opensearch", 12)],
    ids=["tantivy", "tantivy-large-ties", "opensearch"],
)
def test_unreadable_documents_change_nothing_a_caller_sees(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    index_opener,
    engine: str,
    examples: int,
) -> None:
    server = request.getfixturevalue("osmem") if engine == "opensearch" else None
    if engine == "tantivy-dated":
        # Every run of equal scores ordered the way large ones are.
        monkeypatch.setattr(tantivy_pages, "FETCH_WHOLE_REGION", 0)
        engine = "tantivy"

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(world=worlds(), batches=st.integers(1, 3))
    def check(
        world: tuple[list[IndexDocument], list[IndexDocument], list[int]], batches: int
    ) -> None:
        readable, hidden, slots = world
        mixed: list[IndexDocument] = []
        for position, document in enumerate([*readable, None]):
            mixed += [h for h, slot in zip(hidden, slots, strict=True) if slot == position]
            if document is not None:
                mixed.append(document)
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
            plain = _build(lambda: index_opener(engine, Path(one), server), readable, batches)
            both = _build(lambda: index_opener(engine, Path(two), server), mixed, batches)
            try:
                assert _answers(both) == _answers(plain)
            finally:
                plain.close()
                both.close()

    check()
