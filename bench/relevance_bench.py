"""Relevance: nDCG@10 of every search backend and baseline on the judged collection.

The collection (`bench/relevance/`, GUIDE.md there) is generated: French and English
posts, official and social, near-duplicates and distractors, and queries of several
types (keywords, natural questions, acronyms, missing accents, typos, and queries whose
answer is only in the other language), graded 0-3. Its topics are split into a tuning
part and a held-out part: tune on the first, report both. Each engine indexes the
whole collection as readable by everyone and answers each query with its first ten
hits: tantivy and OpenSearch (osmem) through the service's own index backends, as the
API searches; SQLite FTS5 and PostgreSQL full-text search as `bench/search_bench.py`
runs them (every word of the query, OR-ed).
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from bench.corpus import BenchQuery, Doc
from bench.relevance.collection import Judged, Post, build
from bench.search_bench import _engines, console, corpus_words, ndcg_at_10
from townhall_platform.logs import configure_logging

ENGINES = ("tantivy", "opensearch", "sqlite", "postgres")
PARTS = ("tuning", "held-out")


def _doc(post: Post) -> Doc:
    return Doc(
        id=post.id,
        language=post.language,
        title=post.title,
        body=post.body,
        kind=post.kind,
        space_id=post.space_id,
        author_id="author",
        created_at=post.created_at,
        readers=("org",),
    )


def _scores(ranked: dict[str, list[str]], judged: Sequence[Judged]) -> dict[str, float]:
    """Mean nDCG@10 per part, per part and tag, and overall."""
    groups: dict[str, list[float]] = {}
    for query in judged:
        value = ndcg_at_10(ranked[query.id], query.grades)
        for key in ("all", query.part, *(f"{query.part}/{tag}" for tag in query.tags)):
            groups.setdefault(key, []).append(value)
    return {key: statistics.fmean(values) for key, values in groups.items()}


def measure(engines: Sequence[str]) -> dict[str, dict[str, float]]:
    """nDCG@10 per engine: overall, per part, per part and query type."""
    posts, judged = build()
    docs = [_doc(post) for post in posts]
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="townhall-relevance-") as tmp:
        for name in engines:
            for engine, _ in _engines(name, Path(tmp) / name, len(docs), 0, relevance=True):
                try:
                    engine.load([docs], len(docs))
                    ranked = {
                        q.id: engine.search(
                            BenchQuery(
                                "multi-word",
                                q.text,
                                tuple(corpus_words(q.text)),
                                frozenset({"org"}),
                            ),
                            limit=10,
                        )
                        for q in judged
                    }
                    results[engine.name] = _scores(ranked, judged)
                finally:
                    engine.close()
    return results


def run(*, engines: Sequence[str] = ENGINES) -> dict[str, dict[str, float]]:
    """Measure and print the tables."""
    configure_logging(service="bench", json=False, level="WARNING")
    posts, judged = build()
    console.rule(f"relevance: {len(posts):,} posts, {len(judged)} judged queries")
    results = measure(engines)
    _print(results, judged)
    return results


def _print(results: dict[str, dict[str, float]], judged: Sequence[Judged]) -> None:
    tags = sorted({tag for q in judged for tag in q.tags})
    for part in PARTS:
        count = sum(1 for q in judged if q.part == part)
        table = Table(title=f"Relevance, {part} part ({count} queries): nDCG@10")
        table.add_column("engine")
        for column in ("all", *tags):
            n = sum(1 for q in judged if q.part == part and (column == "all" or column in q.tags))
            table.add_column(f"{column} ({n})", justify="right")
        for name, scores in results.items():
            key = part
            table.add_row(
                name,
                f"{scores.get(key, 0.0):.3f}",
                *(f"{scores.get(f'{part}/{tag}', 0.0):.3f}" for tag in tags),
            )
        console.print(table)
