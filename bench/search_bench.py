"""Search: bulk rebuild throughput, query latency with permission filtering, relevance.

On the generated French and English corpus of `bench.corpus` (default 1,000,000
documents, each user in 20 to 300 spaces), the same documents and the same queries
go to:
- tantivy through the service's own `TantivyIndex` (the embedded default): bulk
  rebuild through `load_rebuild` (language detection included), then searches
  with principals, the exact total and highlights, measured twice: without facets
  (as the API answers by default) and with the four facets (kind, space, author,
  month) the portal's search page asks for three of;
- PostgreSQL full-text search: a `tsvector` per document in its language
  (`french`/`english` configurations, title weighted A, body B), GIN indexes on it
  and on the `readers` array, the same permission filter (`readers && principals`),
  20 hits ranked by `ts_rank_cd` with the total, plus one facet query;
- SQLite FTS5 (`porter unicode61 remove_diacritics 2`), readers in a side table,
  the same permission filter, 20 hits by `bm25` with the total, plus one facet;
- optionally OpenSearch as played by osmem-server (an in-memory test double, so its
  figures say nothing about a real cluster) on a smaller slice.
Latency is one client thread, in process, no HTTP. Build times leave out generating
the corpus (the same for every engine, and not the engine's work). Relevance:
nDCG@10 on the committed judgements under `bench/relevance/`, for each engine.
"""

from __future__ import annotations

import json
import math
import sqlite3
import statistics
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench import corpus
from bench.corpus import BenchQuery, Doc
from townhall_contracts.search import DocumentType, IndexDocument, IndexEvent, IndexOperation
from townhall_platform.logs import configure_logging
from townhall_search.index import FACET_FIELDS, IndexBackend, SearchQuery, TantivyIndex
from townhall_search.index.query_text import words_of
from townhall_search.settings import SearchSettings

console = Console(width=150)
# Slow engines stop measuring after this long; the table says how many queries ran.
QUERY_BUDGET_SECONDS = 180.0
RELEVANCE = Path(__file__).parent / "relevance"
# The service's writer memory: the rebuild's writer (`load_rebuild`) and the live one.
REBUILD_HEAP_BYTES = SearchSettings.model_fields["rebuild_heap_bytes"].default
WRITER_HEAP_BYTES = SearchSettings.model_fields["writer_heap_bytes"].default
# The goals, printed beside the figures.
GOAL_P95_MS = 20.0
GOAL_BUILD_DOCS_PER_S = 20_000
GOAL_TIMES_FASTER_THAN_POSTGRES = 10.0
WITH_FACETS = " + 4 facets"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _events(docs: Iterable[Doc], start: int = 1) -> list[IndexEvent]:
    return [
        IndexEvent(
            event_id=start + n,
            op=IndexOperation.UPSERT,
            doc_id=doc.id,
            version=1,
            document=IndexDocument(
                id=doc.id,
                doc_type=DocumentType.POST,
                kind=doc.kind,
                space_id=doc.space_id,
                author_id=doc.author_id,
                title=doc.title,
                body=doc.body,
                state="published",
                readers=list(doc.readers),
                created_at=doc.created_at,
                updated_at=doc.created_at,
            ),
        )
        for n, doc in enumerate(docs)
    ]


# -- engines -------------------------------------------------------------------------------


class Engine(ABC):
    """One search engine under measurement."""

    name = "engine"

    @abstractmethod
    def load(self, docs: Iterable[list[Doc]], total: int) -> float:
        """Index every chunk; returns the seconds it took."""

    @abstractmethod
    def search(self, query: BenchQuery, limit: int = 20) -> list[str]:
        """The ids of the first `limit` hits, with totals and facets computed too."""

    @abstractmethod
    def close(self) -> None:
        """Release the engine."""


class IndexEngine(Engine):
    """The service's own index backend (tantivy, or OpenSearch on osmem)."""

    def __init__(
        self, name: str, index: IndexBackend, on_close: Callable[[], None] | None = None
    ) -> None:
        self.name = name
        self.index = index
        self._on_close = on_close
        self.facets: tuple[str, ...] = ()

    def load(self, docs: Iterable[list[Doc]], total: int) -> float:
        started = time.perf_counter()
        self.index.start_rebuild()
        with _progress() as progress:
            task = progress.add_task(f"{self.name}: bulk rebuild", total=total)
            for chunk in docs:
                self.index.load_rebuild(_events(chunk))
                progress.advance(task, len(chunk))
        self.index.finish_rebuild()
        return time.perf_counter() - started

    def search(self, query: BenchQuery, limit: int = 20) -> list[str]:
        page = self.index.search(
            SearchQuery(
                text=query.text,
                principals=query.principals,
                space_id=query.space_id,
                kind="official" if query.official else None,
                limit=limit,
                facets=self.facets,
            )
        )
        return [hit.id for hit in page.hits]

    def close(self) -> None:
        self.index.close()
        if self._on_close is not None:
            self._on_close()


def _or_tsquery(words: Sequence[str]) -> str:
    return " | ".join(f"'{w}'" for w in words)


class PostgresEngine(Engine):
    name = "PostgreSQL FTS"

    def __init__(self, database: AbstractContextManager[str]) -> None:
        import psycopg

        self._database = database
        self.db = psycopg.connect(database.__enter__(), autocommit=True)
        self.db.execute(
            """
            CREATE TABLE docs (
              id text PRIMARY KEY, lang regconfig NOT NULL, title text, body text,
              kind text, space_id text, author_id text, created_at timestamptz,
              readers text[] NOT NULL,
              tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector(lang, coalesce(title, '')), 'A') ||
                setweight(to_tsvector(lang, coalesce(body, '')), 'B')) STORED)
            """
        )

    def load(self, docs: Iterable[list[Doc]], total: int) -> float:
        started = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task(f"{self.name}: COPY", total=total)
            for chunk in docs:
                with self.db.cursor().copy(
                    "COPY docs (id, lang, title, body, kind, space_id, author_id, created_at,"
                    " readers) FROM STDIN"
                ) as copy:
                    for d in chunk:
                        copy.write_row(
                            (
                                d.id,
                                "french" if d.language == "fr" else "english",
                                d.title,
                                d.body,
                                d.kind,
                                d.space_id,
                                d.author_id,
                                d.created_at,
                                list(d.readers),
                            )
                        )
                progress.advance(task, len(chunk))
        console.print(f"{self.name}: building GIN indexes…")
        self.db.execute("SET maintenance_work_mem = '512MB'")
        self.db.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        self.db.execute("CREATE INDEX docs_readers ON docs USING gin (readers)")
        self.db.execute("ANALYZE docs")
        return time.perf_counter() - started

    def search(self, query: BenchQuery, limit: int = 20) -> list[str]:
        words = list(query.words)
        if query.kind == "phrase":
            tsq = "(phraseto_tsquery('french', %(t)s) || phraseto_tsquery('english', %(t)s))"
            params: dict[str, Any] = {"t": " ".join(words)}
        else:
            tsq = "(to_tsquery('french', %(t)s) || to_tsquery('english', %(t)s))"
            params = {"t": _or_tsquery(words)}
        where = f"tsv @@ {tsq} AND readers && %(p)s::text[]"
        params["p"] = sorted(query.principals)
        if query.space_id:
            where += " AND space_id = %(s)s"
            params["s"] = query.space_id
        if query.official:
            where += " AND kind = 'official'"
        rows = self.db.execute(
            f"SELECT id, count(*) OVER () FROM docs WHERE {where} "
            f"ORDER BY ts_rank_cd(tsv, {tsq}) DESC LIMIT {limit}",
            params,
        ).fetchall()
        self.db.execute(
            f"SELECT space_id, count(*) FROM docs WHERE {where} GROUP BY space_id "
            "ORDER BY 2 DESC LIMIT 100",
            params,
        ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        self.db.close()
        self._database.__exit__(None, None, None)


class SqliteEngine(Engine):
    name = "SQLite FTS5"

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, kind TEXT, space_id TEXT,
                               author_id TEXT, created_at TEXT);
            CREATE VIRTUAL TABLE docs_fts USING fts5(
                title, body, tokenize = 'porter unicode61 remove_diacritics 2');
            CREATE TABLE doc_readers (principal TEXT, doc INTEGER);
            """
        )
        self.rows = 0

    def load(self, docs: Iterable[list[Doc]], total: int) -> float:
        started = time.perf_counter()
        with _progress() as progress:
            task = progress.add_task(f"{self.name}: insert", total=total)
            for chunk in docs:
                rows = []
                for d in chunk:
                    self.rows += 1
                    rows.append((self.rows, d))
                self.db.executemany(
                    "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (n, d.id, d.kind, d.space_id, d.author_id, d.created_at.isoformat())
                        for n, d in rows
                    ],
                )
                self.db.executemany(
                    "INSERT INTO docs_fts (rowid, title, body) VALUES (?, ?, ?)",
                    [(n, d.title, d.body) for n, d in rows],
                )
                self.db.executemany(
                    "INSERT INTO doc_readers VALUES (?, ?)",
                    [(p, n) for n, d in rows for p in d.readers],
                )
                self.db.commit()
                progress.advance(task, len(chunk))
        self.db.execute("CREATE INDEX doc_readers_doc ON doc_readers (doc, principal)")
        self.db.execute("CREATE INDEX docs_space ON docs (space_id)")
        self.db.commit()
        return time.perf_counter() - started

    def search(self, query: BenchQuery, limit: int = 20) -> list[str]:
        if query.kind == "phrase":
            match = '"' + " ".join(query.words) + '"'
        else:
            match = " OR ".join(f'"{w}"' for w in query.words)
        principals = sorted(query.principals)
        marks = ",".join("?" * len(principals))
        where = (
            "docs_fts MATCH ? AND EXISTS (SELECT 1 FROM doc_readers r WHERE r.doc = "
            f"docs_fts.rowid AND r.principal IN ({marks}))"
        )
        params: list[Any] = [match, *principals]
        if query.space_id:
            where += " AND d.space_id = ?"
            params.append(query.space_id)
        if query.official:
            where += " AND d.kind = 'official'"
        base = f"FROM docs_fts JOIN docs d ON d.rowid = docs_fts.rowid WHERE {where}"
        rows = self.db.execute(
            f"SELECT d.id {base} ORDER BY bm25(docs_fts, 2.0, 1.0) LIMIT {limit}", params
        ).fetchall()
        self.db.execute(f"SELECT count(*) {base}", params).fetchone()
        self.db.execute(
            f"SELECT d.space_id, count(*) {base} GROUP BY d.space_id ORDER BY 2 DESC LIMIT 100",
            params,
        ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        self.db.close()


# -- measurements --------------------------------------------------------------------------


class _Generation:
    """Time spent generating the corpus, to leave out of an engine's build time."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def chunks(self, docs: Iterable[list[Doc]]) -> Iterator[list[Doc]]:
        chunks = iter(docs)
        while True:
            started, cpu_started = time.perf_counter(), time.process_time()
            chunk = next(chunks, None)
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
            if chunk is None:
                return
            yield chunk


def _load(engine: Engine, size: int, corpus_name: str) -> tuple[float, float]:
    """Seconds the engine took to index `size` documents, and the CPU seconds of this
    process meanwhile (all its threads: tantivy's writer threads too), generation left
    out. On a shared machine the CPU time tells what the wall time cannot."""
    generation = _Generation()
    cpu_started = time.process_time()
    seconds = engine.load(generation.chunks(corpus.chunks(size, corpus=corpus_name)), size)
    cpu = time.process_time() - cpu_started - generation.cpu_seconds
    return seconds - generation.seconds, cpu


def _latencies(engine: Engine, queries: Sequence[BenchQuery]) -> dict[str, list[float]]:
    budget = time.perf_counter() + QUERY_BUDGET_SECONDS
    for query in queries[:5]:
        engine.search(query)  # warm caches (within the time budget)
    samples: dict[str, list[float]] = {"all": []}
    with _progress() as progress:
        task = progress.add_task(f"{engine.name}: queries", total=len(queries))
        for query in queries:
            if time.perf_counter() > budget:
                break
            started, cpu_started = time.perf_counter(), time.thread_time()
            engine.search(query)
            elapsed = (time.perf_counter() - started) * 1000
            samples["all"].append(elapsed)
            # CPU of this thread: the whole search for an in-process engine (tantivy
            # searches in the calling thread), a guide when the machine is busy.
            samples.setdefault("cpu", []).append((time.thread_time() - cpu_started) * 1000)
            samples.setdefault(query.kind, []).append(elapsed)
            progress.advance(task)
    return samples


def _relevance_data() -> tuple[list[Doc], list[dict[str, Any]]]:
    docs = []
    for line in (RELEVANCE / "corpus.jsonl").read_text().splitlines():
        raw = json.loads(line)
        docs.append(
            Doc(
                id=raw["id"],
                language=raw["language"],
                title=raw["title"],
                body=raw["body"],
                kind=raw.get("kind", "social"),
                space_id=raw.get("space_id", "general"),
                author_id="author",
                created_at=datetime(2025, 1, 1, tzinfo=UTC),
                readers=("org",),
            )
        )
    judgements = json.loads((RELEVANCE / "judgements.json").read_text())["queries"]
    return docs, judgements


def ndcg_at_10(ranking: Sequence[str], grades: dict[str, int]) -> float:
    """Normalized discounted cumulative gain of the first ten results."""

    def dcg(gains: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:10]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(doc_id, 0) for doc_id in ranking]) / ideal if ideal else 0.0


def _relevance(engine: Engine, judgements: list[dict[str, Any]]) -> dict[str, float]:
    by_language: dict[str, list[float]] = {"fr": [], "en": []}
    for judged in judgements:
        words = tuple(corpus_words(judged["query"]))
        query = BenchQuery(
            "phrase" if judged["query"].startswith('"') else "multi-word",
            judged["query"],
            words,
            frozenset({"org"}),
        )
        ranking = engine.search(query, limit=10)
        by_language[judged["language"]].append(ndcg_at_10(ranking, judged["grades"]))
    scores = {lang: statistics.fmean(values) for lang, values in by_language.items() if values}
    scores["all"] = statistics.fmean(v for values in by_language.values() for v in values)
    return scores


def corpus_words(text: str) -> list[str]:
    return words_of(text)


# -- the run -------------------------------------------------------------------------------


def run(
    *,
    docs: int,
    queries: int,
    opensearch_docs: int,
    engines: Sequence[str],
    corpus_name: str = corpus.CORPORA[0],
) -> dict[str, dict[str, Any]]:
    """Run the search benchmark, print its tables, return each engine's samples."""
    configure_logging(service="bench", json=False, level="WARNING")
    console.rule(f"search: {docs:,} documents ({corpus_name} corpus), {queries} queries")
    mix = corpus.queries(queries, docs=docs, corpus=corpus_name)
    results: dict[str, dict[str, Any]] = {}
    relevance: dict[str, dict[str, float]] = {}
    relevance_docs, judgements = _relevance_data()
    with tempfile.TemporaryDirectory(prefix="townhall-search-bench-") as tmp:
        workdir = Path(tmp)
        for name in engines:
            for engine, size in _engines(name, workdir, docs, opensearch_docs):
                try:
                    seconds, cpu = _load(engine, size, corpus_name)
                    samples = _latencies(engine, mix)
                    results[engine.name] = {
                        "docs": size,
                        "seconds": seconds,
                        "cpu_seconds": cpu,
                        "samples": samples,
                    }
                    if isinstance(engine, IndexEngine):
                        # The same searches asking for every facet, as a search page may.
                        engine.facets = FACET_FIELDS
                        results[engine.name + WITH_FACETS] = {
                            "docs": size,
                            "samples": _latencies(engine, mix),
                        }
                finally:
                    engine.close()
            for engine, _ in _engines(
                name, workdir / "relevance", len(relevance_docs), 0, relevance=True
            ):
                try:
                    engine.load([relevance_docs], len(relevance_docs))
                    relevance[engine.name] = _relevance(engine, judgements)
                finally:
                    engine.close()
    _print(results, relevance, len(judgements))
    return results


def _engines(
    name: str, workdir: Path, docs: int, opensearch_docs: int, *, relevance: bool = False
) -> list[tuple[Engine, int]]:
    workdir.mkdir(parents=True, exist_ok=True)
    if name == "tantivy":
        index = TantivyIndex.open(
            workdir / "tantivy", heap_bytes=WRITER_HEAP_BYTES, rebuild_heap_bytes=REBUILD_HEAP_BYTES
        )
        return [(IndexEngine("tantivy", index), docs)]
    if name == "postgres":
        from townhall_platform.testing import postgres_available, temporary_postgres_database

        if not postgres_available():
            console.print("[yellow]PostgreSQL does not answer: its figures are left out[/yellow]")
            return []
        return [(PostgresEngine(temporary_postgres_database("townhall_bench")), docs)]
    if name == "sqlite":
        return [(SqliteEngine(workdir / "fts5.db"), docs)]
    if name == "opensearch":
        size = docs if relevance else opensearch_docs
        if size <= 0:
            return []
        from osmem_server import OsmemServer

        from townhall_search.index.opensearch_backend import OpenSearchIndex

        server = OsmemServer.start(japanese=False)
        index = OpenSearchIndex.open(server.url, alias="bench-documents", timeout=120)
        return [(IndexEngine("OpenSearch (osmem)", index, on_close=server.close), size)]
    raise ValueError(f"unknown engine {name}")


def _print(
    results: dict[str, dict[str, Any]], relevance: dict[str, dict[str, float]], judged: int
) -> None:
    latency = Table(
        title="Query latency (ms, one thread, permission-filtered, 20 hits; "
        "p95 CPU: CPU time of the searching thread, in-process engines only)"
    )
    for column in (
        "engine",
        "docs",
        "queries",
        "p50",
        "p95",
        "p99",
        "mean",
        "one-word p95",
        "multi-word p95",
        "phrase p95",
        "filtered p95",
        "p95 CPU",
    ):
        latency.add_column(column, justify="right" if column != "engine" else "left")
    for name, result in results.items():
        s = result["samples"]
        latency.add_row(
            name,
            f"{result['docs']:,}",
            str(len(s["all"])),
            *(f"{_percentile(s['all'], q):.1f}" for q in (0.5, 0.95, 0.99)),
            f"{statistics.fmean(s['all']):.1f}",
            *(
                f"{_percentile(s[k], 0.95):.1f}"
                for k in ("one-word", "multi-word", "phrase", "filtered")
            ),
            f"{_percentile(s['cpu'], 0.95):.1f}" if name.startswith("tantivy") else "",
        )
    console.print(latency)

    build = Table(title="Bulk build (corpus generation left out)")
    for column in ("engine", "docs", "seconds", "docs/s", "CPU s", "docs/CPU s"):
        build.add_column(column, justify="right" if column != "engine" else "left")
    for name, result in results.items():
        if "seconds" not in result:
            continue
        # A server's work is in its own process: CPU only for the in-process engines.
        in_process = name.startswith("tantivy") or name.startswith("SQLite")
        cpu = result["cpu_seconds"]
        build.add_row(
            name,
            f"{result['docs']:,}",
            f"{result['seconds']:.1f}",
            f"{result['docs'] / result['seconds']:,.0f}",
            f"{cpu:.1f}" if in_process else "",
            f"{result['docs'] / cpu:,.0f}" if in_process and cpu > 0 else "",
        )
    console.print(build)

    tantivy_runs = [name for name in ("tantivy", "tantivy" + WITH_FACETS) if name in results]
    ratios = Table(title="tantivy compared (how many times faster than the engine)")
    for column in ("tantivy", "engine", "p50", "p95", "p99"):
        ratios.add_column(
            column, justify="right" if column not in ("tantivy", "engine") else "left"
        )
    for mine in tantivy_runs:
        base = results[mine]["samples"]["all"]
        for name, result in results.items():
            if name.startswith("tantivy") or result["docs"] != results[mine]["docs"]:
                continue
            other = result["samples"]["all"]
            ratios.add_row(
                mine,
                name,
                *(
                    f"{_percentile(other, q) / _percentile(base, q):.1f}x"
                    for q in (0.5, 0.95, 0.99)
                ),
            )
    if ratios.row_count:
        console.print(ratios)
    _print_goals(results, tantivy_runs)

    quality = Table(title=f"Relevance: nDCG@10 over {judged} judged queries")
    for column in ("engine", "French", "English", "all"):
        quality.add_column(column, justify="right" if column != "engine" else "left")
    for name, scores in relevance.items():
        quality.add_row(name, *(f"{scores.get(k, 0.0):.3f}" for k in ("fr", "en", "all")))
    console.print(quality)


ENGINES = ("tantivy", "postgres", "sqlite", "opensearch")


def _print_goals(results: dict[str, dict[str, Any]], tantivy_runs: list[str]) -> None:
    """The issue's goals for tantivy beside what this run measured."""
    if not tantivy_runs:
        return
    goals = Table(title="tantivy against the issue's goals (this run, this machine)")
    for column in ("goal", "measured", "met"):
        goals.add_column(column)
    for name in tantivy_runs:
        samples = results[name]["samples"]
        p95 = _percentile(samples["all"], 0.95)
        # Judged on wall time; the CPU p95 tells what a quiet machine would show.
        cpu = f" (CPU {_percentile(samples['cpu'], 0.95):.1f} ms)" if samples.get("cpu") else ""
        goals.add_row(
            f"{name}: p95 under {GOAL_P95_MS:.0f} ms ({results[name]['docs']:,} docs)",
            f"{p95:.1f} ms{cpu}",
            _yes(p95 < GOAL_P95_MS),
        )
    built = results.get("tantivy")
    if built is not None:
        rate = built["docs"] / built["seconds"]
        per_cpu = built["docs"] / built["cpu_seconds"] if built["cpu_seconds"] > 0 else 0.0
        goals.add_row(
            f"bulk rebuild at least {GOAL_BUILD_DOCS_PER_S:,} docs/s",
            f"{rate:,.0f} docs/s ({per_cpu:,.0f} per CPU second)",
            _yes(rate >= GOAL_BUILD_DOCS_PER_S),
        )
    postgres = results.get(PostgresEngine.name)
    for name in tantivy_runs:
        if postgres is None or postgres["docs"] != results[name]["docs"]:
            continue
        times = _percentile(postgres["samples"]["all"], 0.95) / _percentile(
            results[name]["samples"]["all"], 0.95
        )
        goals.add_row(
            f"{name}: {GOAL_TIMES_FASTER_THAN_POSTGRES:.0f}x faster than PostgreSQL at p95",
            f"{times:.1f}x",
            _yes(times >= GOAL_TIMES_FASTER_THAN_POSTGRES),
        )
    console.print(goals)


def _yes(met: bool) -> str:
    return "yes" if met else "NO"
