"""Search: what query-time expansion (synonyms, acronyms, translations) costs.

The judged collection's queries (`bench/relevance/`: keywords, questions, acronyms and
other-language queries, the ones the shipped vocabulary was written for) run twice each,
alternately, once with the shipped vocabulary and once with an empty one, on both
backends: tantivy over the judged posts and `--docs` generated ones (so common words
match many documents), OpenSearch (osmem, an in-memory test double) over the judged posts
and `--opensearch-docs` generated ones. Every query is readable by everyone, no facets,
20 hits, as the API answers. Latency: CPU of the searching thread for tantivy (it
searches in the calling thread), wall time for OpenSearch (it searches in its server).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.table import Table

from bench import corpus
from bench.relevance.collection import build
from bench.relevance_bench import _doc
from bench.search_bench import IndexEngine, _engines, _percentile, console
from townhall_platform.logs import configure_logging
from townhall_search.index import SearchQuery
from townhall_search.index.expansion import Vocabulary, default_vocabulary, expand
from townhall_search.index.query_text import parse

READER = frozenset({"org"})
ROUNDS = 2


def _load(engine: IndexEngine, generated: int) -> None:
    posts, _ = build()
    chunks = [[_doc(post) for post in posts], *corpus.chunks(generated)]
    engine.load(chunks, len(posts) + generated)


def _measure(
    engine: IndexEngine, texts: list[str], clock: Callable[[], float]
) -> dict[str, list[float]]:
    shipped, empty = default_vocabulary(), Vocabulary()
    samples: dict[str, list[float]] = {"shipped": [], "empty": []}
    for text in texts[:10]:
        engine.index.search(SearchQuery(text=text, principals=READER))  # warm caches
    for _ in range(ROUNDS):
        for text in texts:
            for name, vocabulary in (("shipped", shipped), ("empty", empty)):
                query = SearchQuery(text=text, principals=READER, vocabulary=vocabulary)
                started = clock()
                engine.index.search(query)
                samples[name].append((clock() - started) * 1000)
    return samples


def run(*, docs: int, opensearch_docs: int) -> None:
    configure_logging(service="bench", json=False, level="WARNING")
    _, judged = build()
    texts = [q.text for q in judged]
    shipped = default_vocabulary()
    expanded = sum(
        1 for text in texts if any(c.alternatives for c in expand(parse(text), shipped, text))
    )
    console.rule(
        f"expansion: {len(texts)} judged queries ({expanded} expanded by the shipped "
        f"vocabulary), {ROUNDS} rounds"
    )
    table = Table(title="Query latency with the shipped vocabulary and with none (ms)")
    for column in ("engine", "documents", "clock", "vocabulary", "p50", "p95", "p99"):
        table.add_column(column, justify="left" if column in ("engine", "vocabulary") else "right")
    with tempfile.TemporaryDirectory(prefix="townhall-expansion-") as tmp:
        for name, generated, clock, label in (
            ("tantivy", docs, time.thread_time, "thread CPU"),
            ("opensearch", opensearch_docs, time.perf_counter, "wall"),
        ):
            for engine, _ in _engines(name, Path(tmp) / name, 1, 0, relevance=True):
                assert isinstance(engine, IndexEngine)
                try:
                    _load(engine, generated)
                    samples = _measure(engine, texts, clock)
                finally:
                    engine.close()
                for vocabulary in ("shipped", "empty"):
                    values = samples[vocabulary]
                    table.add_row(
                        engine.name,
                        f"{generated + len(build()[0]):,}",
                        label,
                        vocabulary,
                        *(f"{_percentile(values, q):.2f}" for q in (0.5, 0.95, 0.99)),
                    )
    console.print(table)
