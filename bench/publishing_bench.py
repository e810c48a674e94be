"""Publishing under load: 100,000 posts, 100 concurrent users, publish-to-searchable.

Starts policy, publishing and search as real processes on free loopback ports with a
throwaway state directory (SQLite, tantivy, demo data), adds `--posts` posts straight
into publishing's database (with a progress bar; they are not sent to search, so the
freshness measurement is not queued behind them), then measures:

- creating a social post and reading a feed page, each with `--concurrency` users
  sending requests back to back (closed loop) over HTTP/1.1 keep-alive: latency
  percentiles and the throughput reached;
- publish-to-searchable: a social post created, then searched for until it is found,
  one after another.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import insert

from townhall.launcher import ServiceSpec, Supervisor, run_step, service_environment
from townhall_contracts.demo import SPACES, USERS
from townhall_contracts.readers import PostState, post_readers
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.db import make_engine
from townhall_platform.testing import free_port
from townhall_publishing.content import render_markdown
from townhall_publishing.posts.models import FeedRank, Post, PostReader

console = Console()

EMPLOYEES = [u.id for u in USERS if "employee" in u.org_roles]
_SPACE = {space.id: space for space in SPACES}
BODY = "Retour d'expérience sur la **mise en production** de la semaine, merci @bob."


@dataclass
class LoadResult:
    label: str
    samples: list[float]
    errors: int
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def seed_posts(database_url: str, count: int) -> None:
    """Insert `count` published posts (5% official, 15% in restricted spaces)."""
    engine = make_engine(database_url)
    rng = random.Random(4)
    now = datetime.now(UTC)
    html = render_markdown(BODY)
    batch = 5000
    columns = [c.name for c in Post.__table__.columns]  # type: ignore[attr-defined]
    with Progress(
        TextColumn("seeding posts"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("seed", total=count)
        done = 0
        while done < count:
            posts: list[dict[str, Any]] = []
            readers: list[dict[str, str]] = []
            for n in range(done, min(done + batch, count)):
                roll = rng.random()
                if roll < 0.05:
                    space, kind, author = "general", "official", "claire"
                elif roll < 0.20:
                    space = rng.choice(["projet-phoenix", "hr-confidential"])
                    kind, author = "social", rng.choice(_SPACE[space].members)
                else:
                    space = rng.choice(["engineering", "cafe"])
                    kind, author = "social", rng.choice(EMPLOYEES)
                moment = now - timedelta(minutes=5 * (count - n))
                post = Post(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    space_id=space,
                    kind=kind,
                    title=f"Bench {n}",
                    body=BODY,
                    body_html=html,
                    mentions=["bob"],
                    author_id=author,
                    state=PostState.PUBLISHED.value,
                    authority="Direction de la communication" if kind == "official" else None,
                    version=1,
                    feed_rank=FeedRank.OFFICIAL if kind == "official" else FeedRank.SOCIAL,
                    created_at=moment,
                    updated_at=moment,
                    published_at=moment,
                    published_by=author,
                )
                post.readers = post_readers(
                    space_id=space,
                    visibility=_SPACE[space].visibility,
                    state=PostState.PUBLISHED,
                    author_id=author,
                )
                posts.append({c: getattr(post, c) for c in columns})
                readers += [{"post_id": post.id, "principal": p} for p in post.readers]
            with engine.begin() as connection:
                connection.execute(insert(Post.__table__), posts)  # type: ignore[attr-defined]
                connection.execute(insert(PostReader.__table__), readers)  # type: ignore[attr-defined]
            done += len(posts)
            progress.update(task, completed=done)
    engine.dispose()


async def _load(
    label: str,
    url: str,
    tokens: dict[str, str],
    *,
    requests: int,
    concurrency: int,
    make: Any,
) -> LoadResult:
    samples: list[float] = []
    errors = 0
    next_request = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:

        async def worker(number: int) -> None:
            nonlocal next_request, errors
            user = EMPLOYEES[number % len(EMPLOYEES)]
            headers = {"Authorization": f"Bearer {tokens[user]}"}
            while next_request < requests:
                n = next_request
                next_request += 1
                method, path, body = make(n, user)
                started = time.perf_counter()
                try:
                    response = await http.request(method, path, json=body, headers=headers)
                except httpx.TransportError:
                    errors += 1
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code >= 400:
                    errors += 1
                else:
                    samples.append(elapsed)

        started = time.perf_counter()
        with Progress(
            TextColumn(label), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as progress:
            task = progress.add_task(label, total=requests)

            async def report() -> None:
                while next_request < requests:
                    progress.update(task, completed=next_request)
                    await asyncio.sleep(0.2)

            reporter = asyncio.create_task(report())
            await asyncio.gather(*(worker(i) for i in range(concurrency)))
            reporter.cancel()
        seconds = time.perf_counter() - started
    return LoadResult(label, samples, errors, seconds)


def _freshness(urls: dict[str, str], tokens: dict[str, str], count: int) -> list[float]:
    samples = []
    alice = {"Authorization": f"Bearer {tokens['alice']}"}
    bob = {"Authorization": f"Bearer {tokens['bob']}"}
    with httpx.Client(timeout=10) as http:
        for _ in range(count):
            word = "zq" + uuid.uuid4().hex[:10]
            started = time.perf_counter()
            http.post(
                f"{urls['publishing']}/v1/posts",
                headers=alice,
                json={"space_id": "engineering", "kind": "social", "title": word, "body": "x"},
            ).raise_for_status()
            deadline = time.monotonic() + 10
            while True:
                found = http.get(f"{urls['search']}/v1/search", headers=bob, params={"q": word})
                if found.json()["total"] == 1:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("a post was not searchable within 10 s")
                time.sleep(0.01)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(*, posts: int, requests: int, concurrency: int, freshness: int) -> None:
    """Start the services, seed, measure, print one table."""
    with tempfile.TemporaryDirectory(prefix="townhall-bench-publishing-") as tmp:
        state = Path(tmp)
        specs = [ServiceSpec(n, free_port()) for n in ("policy", "publishing", "search")]
        urls = {s.name: s.url for s in specs}
        saved = dict(os.environ)
        os.environ.update({f"TOWNHALL_{s.name.upper()}_PORT": str(s.port) for s in specs})
        os.environ.update(
            {
                spec.env_prefix + f"{name.upper()}_URL": url
                for spec in specs
                for name, url in urls.items()
            }
        )
        # The measured instance logs warnings only: request logs would cost more than the work.
        os.environ.update({spec.env_prefix + "LOG_LEVEL": "WARNING" for spec in specs})
        key = ensure_signing_key(state / "keys" / "dev-signing-key.pem")
        supervisor = Supervisor(state)
        try:
            for spec in specs:
                env = service_environment(spec, state)
                run_step(spec, "migrate", env)
                if spec.name != "search":
                    run_step(spec, "seed", env)
            publishing_db = service_environment(specs[1], state)["TOWNHALL_PUBLISHING_DATABASE_URL"]
            started = time.perf_counter()
            seed_posts(publishing_db, posts)
            console.print(f"{posts:,} posts seeded in {time.perf_counter() - started:.1f} s")
            for spec in specs:
                supervisor.start(spec)
            for spec in specs:
                supervisor.wait_ready(spec)
            issuer = TokenIssuer(
                key,
                issuer="townhall-dev",
                user_audience="townhall",
                service_audience="townhall-internal",
            )
            tokens = {user: issuer.user_token(user) for user in EMPLOYEES}
            _measure(urls, tokens, requests=requests, concurrency=concurrency, freshness=freshness)
        finally:
            supervisor.stop()
            os.environ.clear()
            os.environ.update(saved)


def _measure(
    urls: dict[str, str],
    tokens: dict[str, str],
    *,
    requests: int,
    concurrency: int,
    freshness: int,
) -> None:
    def create(n: int, user: str) -> tuple[str, str, Any]:
        body = {"space_id": "engineering", "kind": "social", "title": f"Load {n}", "body": BODY}
        return "POST", "/v1/posts", body

    def feed(n: int, user: str) -> tuple[str, str, Any]:
        return "GET", "/v1/feed?limit=20", None

    async def scenarios() -> list[LoadResult]:
        # A short warm-up fills connection pools and caches on every side.
        await _load("warm-up", urls["publishing"], tokens, requests=200, concurrency=20, make=feed)
        return [
            await _load(
                f"POST /v1/posts (social), {concurrency} users",
                urls["publishing"],
                tokens,
                requests=requests,
                concurrency=concurrency,
                make=create,
            ),
            await _load(
                f"GET /v1/feed (20 items), {concurrency} users",
                urls["publishing"],
                tokens,
                requests=requests,
                concurrency=concurrency,
                make=feed,
            ),
        ]

    results = asyncio.run(scenarios())
    fresh = _freshness(urls, tokens, freshness)

    table = Table(
        title=f"Publishing over HTTP (loopback, SQLite + tantivy, {os.cpu_count()} cores)"
    )
    for column in ("measurement", "n", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "mean ms"):
        table.add_column(column, justify="right" if column != "measurement" else "left")
    for result in results:
        table.add_row(
            result.label,
            str(len(result.samples)),
            str(result.errors),
            f"{result.throughput:.0f}",
            f"{_percentile(result.samples, 0.50):.1f}",
            f"{_percentile(result.samples, 0.95):.1f}",
            f"{_percentile(result.samples, 0.99):.1f}",
            f"{statistics.fmean(result.samples):.1f}" if result.samples else "-",
        )
    table.add_row(
        "publish → searchable (one at a time)",
        str(len(fresh)),
        "0",
        "-",
        f"{_percentile(fresh, 0.50):.1f}",
        f"{_percentile(fresh, 0.95):.1f}",
        f"{_percentile(fresh, 0.99):.1f}",
        f"{statistics.fmean(fresh):.1f}",
    )
    console.print(table)
