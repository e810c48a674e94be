"""The work of a query is bounded (issue 14, case 11): counted, not timed.

Typo tolerance is the costly part of a query: an automaton over the term dictionary
of each text field, per word. Thirty-two random twenty-letter words (no document
holds them, so each one is a typo candidate) used to expand all thirty-two words,
twice on tantivy. The work is counted where each engine is given it: the words
`_word_query` builds with typos on tantivy, the `fuzziness` clauses sent to OpenSearch.
"""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest

from townhall_search.index import IndexBackend, SearchQuery, opensearch_backend, tantivy_queries
from townhall_search.index.query_text import MAX_TYPO_WORDS

EMPLOYEE = frozenset({"org", "user:david"})


class WorkCounter:
    """How many words were expanded to typos, however many searches ran."""

    def __init__(self) -> None:
        self.expanded_words = 0


@pytest.fixture
def work(backend_index: IndexBackend, monkeypatch: pytest.MonkeyPatch) -> WorkCounter:
    counter = WorkCounter()
    if isinstance(backend_index, opensearch_backend.OpenSearchIndex):
        client = backend_index._client
        search = client.search

        def counting_search(*args: Any, **kwargs: Any) -> Any:
            body = json.dumps(kwargs.get("body", {}))
            # Four text fields per expanded word (title and body in two languages).
            counter.expanded_words += body.count('"fuzziness"') // 4
            return search(*args, **kwargs)

        monkeypatch.setattr(client, "search", counting_search)
    else:
        word_query = tantivy_queries.word_query

        def counting_word_query(schema: Any, word: str, *, fuzzy: bool) -> Any:
            if fuzzy:
                counter.expanded_words += 1
            return word_query(schema, word, fuzzy=fuzzy)

        monkeypatch.setattr(tantivy_queries, "word_query", counting_word_query)
    return counter


def _random_words(count: int, length: int) -> str:
    chooser = random.Random(14)
    return " ".join(
        "".join(chooser.choice(string.ascii_lowercase) for _ in range(length)) for _ in range(count)
    )


def test_thirty_two_random_long_words_expand_no_more_than_a_short_query(
    backend_index: IndexBackend, events: Any, work: WorkCounter
) -> None:
    backend_index.apply(
        [events.upsert(f"p{n}", title=f"Budget annuel {n}", body="Prévisions.") for n in range(5)]
    )
    backend_index.search(SearchQuery(text="bugdet prevision ", principals=EMPLOYEE))
    normal = work.expanded_words
    work.expanded_words = 0

    page = backend_index.search(SearchQuery(text=_random_words(32, 20) + " ", principals=EMPLOYEE))

    assert page.total == 0
    assert 0 < work.expanded_words <= MAX_TYPO_WORDS * 2
    assert work.expanded_words <= max(normal, 1) * MAX_TYPO_WORDS


def test_typos_still_found_within_the_bound(backend_index: IndexBackend, events: Any) -> None:
    backend_index.apply([events.upsert("p1", title="Budget annuel", body="Prévisions.")])

    page = backend_index.search(SearchQuery(text="bugdet annuell ", principals=EMPLOYEE))

    assert [hit.id for hit in page.hits] == ["p1"]
