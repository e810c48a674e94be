"""Publishing under load: 100,000 posts, 100 concurrent users, publish-to-searchable.

For each of `--setups` (embedded SQLite, one publishing process; PostgreSQL, throwaway
databases on 127.0.0.1:5432 for publishing and policy, with N publishing workers):
starts policy, publishing and search as real processes on free loopback ports with a
throwaway state directory (tantivy, demo data), adds `--posts` posts straight
into publishing's database (with a progress bar; they are not sent to search, so the
freshness measurement is not queued behind them), then measures:

- creating a social post and reading a feed page with `--concurrency` users sending on
  their own schedule (open loop, `bench/open_loop.py`, in its own process) at a total
  rate stepped through `--rates` (100, 200, 300 … requests/s, `--step-seconds` each,
  stopping after the first rate whose p95 reaches 50 ms): latency from each request's
  due time, and the CPU milliseconds per request of each service (with its workers) and
  of the generator;
- publish-to-searchable: a social post created, then searched for until it is found,
  one after another.
"""

from __future__ import annotations

import importlib.util
import os
import random
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import insert, text

from townhall.launcher import ServiceSpec, Supervisor, run_step, service_environment
from townhall_contracts.demo import SPACES, USERS
from townhall_contracts.readers import PostState, post_readers
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.db import make_engine
from townhall_platform.testing import free_port, temporary_postgres_database
from townhall_publishing.content import render_markdown
from townhall_publishing.posts.models import FeedRank, Post, PostReader

from . import profiling
from .costs import SERVICE_REQUESTS, Cost, floor_costs
from .costs import print_table as print_costs
from .open_loop import LoadStep, RequestMaker, run_load
from .publishing_load import BODY, ReadPost, create_social_post, read_feed_page

console = Console()

EMPLOYEES = [u.id for u in USERS if "employee" in u.org_roles]
_SPACE = {space.id: space for space in SPACES}
GOAL_P95_MS = 50.0
GOAL_RATE = 200.0


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def seed_posts(database_url: str, count: int, *, keep: int = 500) -> list[str]:
    """Insert `count` published posts (5% official, 15% in restricted spaces); return the
    ids of up to `keep` that every employee may read."""
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
        public: list[str] = []
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
                if space in ("engineering", "cafe") and len(public) < keep:
                    public.append(post.id)
                readers += [{"post_id": post.id, "principal": p} for p in post.readers]
            with engine.begin() as connection:
                connection.execute(insert(Post.__table__), posts)  # type: ignore[attr-defined]
                connection.execute(insert(PostReader.__table__), readers)  # type: ignore[attr-defined]
            done += len(posts)
            progress.update(task, completed=done)
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load, done now: without the statistics
        # the planner misjudges the feed query, and without the visibility map every
        # index-only probe of `post_readers` also reads the table.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE posts, post_readers")
            )
    else:
        # SQLite: the bulk load's write-ahead log folded into the database now, not by
        # the first measured commit.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return public


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


@dataclass(frozen=True)
class Setup:
    """Where publishing (and policy) keep their data, and publishing's worker processes."""

    database: str  # "sqlite" (the embedded default) or "postgresql"
    workers: int

    @classmethod
    def parse(cls, text: str) -> Setup:
        """`sqlite:1`, `postgresql:2`: the database, then publishing's workers."""
        database, _, workers = text.strip().partition(":")
        if database not in ("sqlite", "postgresql"):
            raise ValueError(f"unknown database {database!r} (sqlite or postgresql)")
        if database == "sqlite" and int(workers or "1") != 1:
            raise ValueError("on SQLite one publishing process serves: sqlite:1")
        return cls(database, int(workers or "1"))

    def __str__(self) -> str:
        return f"{self.database}, {self.workers} worker{'s' if self.workers > 1 else ''}"


@dataclass
class Result:
    setup: Setup
    steps: list[Step]
    fresh: list[float]
    costs: list[Cost]


def run(
    *,
    posts: int,
    rates: list[float],
    seconds: float,
    concurrency: int,
    freshness: int,
    setups: list[Setup],
) -> list[Result]:
    """Measure each setup in turn (services started afresh), print one table, return it."""
    results = []
    for setup in setups:
        console.rule(f"publishing on {setup}")
        results.append(
            _run_setup(
                setup,
                posts=posts,
                rates=rates,
                seconds=seconds,
                concurrency=concurrency,
                freshness=freshness,
            )
        )
        # Printed at once too: a later setup that fails does not take these figures with it.
        print_costs({str(setup): results[-1].costs}, rate=GOAL_RATE, console=console)
    _print_tables(results, concurrency=concurrency)
    print_costs({str(r.setup): r.costs for r in results}, rate=GOAL_RATE, console=console)
    return results


def _databases(setup: Setup, stack: ExitStack) -> dict[str, str]:
    """Settings of the setup's databases and publishing's workers: for SQLite the
    launcher's files under the state directory; for PostgreSQL, a throwaway database each
    for publishing and policy on 127.0.0.1:5432, dropped when `stack` closes."""
    workers = {"TOWNHALL_PUBLISHING_WORKERS": str(setup.workers)}
    if setup.database == "sqlite":
        return workers
    env = {
        f"TOWNHALL_{name.upper()}_DATABASE_URL": stack.enter_context(
            temporary_postgres_database(prefix=f"townhall_bench_{name}")
        )
        for name in ("publishing", "policy")
    }
    return env | workers


def _run_setup(
    setup: Setup,
    *,
    posts: int,
    rates: list[float],
    seconds: float,
    concurrency: int,
    freshness: int,
) -> Result:
    """Start the services, seed, measure."""
    with (
        tempfile.TemporaryDirectory(prefix="townhall-bench-publishing-") as tmp,
        ExitStack() as stack,
    ):
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
        # The load is many requests per user a second: the per-user rate limits would refuse it.
        os.environ.update({spec.env_prefix + "RATE_LIMITS_ENABLED": "false" for spec in specs})
        os.environ.update(_databases(setup, stack))
        key = ensure_signing_key(state / "keys" / "dev-signing-key.pem")
        os.environ.update(_event_bus(specs, state, stack))
        supervisor = Supervisor(state)
        try:
            for spec in specs:
                env = service_environment(spec, state)
                run_step(spec, "migrate", env)
                if spec.name != "search":
                    run_step(spec, "seed", env)
            publishing_db = service_environment(specs[1], state)["TOWNHALL_PUBLISHING_DATABASE_URL"]
            started = time.perf_counter()
            post_ids = seed_posts(publishing_db, posts)
            console.print(f"{posts:,} posts seeded in {time.perf_counter() - started:.1f} s")
            for spec in specs:
                supervisor.start(spec)
            for spec in specs:
                # Workers start slowly on a busy machine (each imports the whole app).
                supervisor.wait_ready(spec, timeout=120)
            issuer = TokenIssuer(
                key,
                issuer="townhall-dev",
                user_audience="townhall",
                service_audience="townhall-internal",
            )
            tokens = {user: issuer.user_token(user) for user in EMPLOYEES}
            pids = {name: process.pid for name, process in supervisor.processes.items()}
            steps, fresh, costs = _measure(
                urls,
                tokens,
                rates=rates,
                seconds=seconds,
                concurrency=concurrency,
                freshness=freshness,
                pids=pids,
                postgres=setup.database == "postgresql",
                post_ids=post_ids,
            )
            return Result(setup, steps, fresh, costs)
        finally:
            supervisor.stop()
            os.environ.clear()
            os.environ.update(saved)


def _event_bus(specs: list[ServiceSpec], state: Path, stack: ExitStack) -> dict[str, str]:
    """The event bus between publishing and search, on a port of its own; none for a tree
    from before the bus (`compare --before` an older revision), whose relay pushed to
    search over HTTP and which has no NATS client installed."""
    if importlib.util.find_spec("nats") is None:
        return {}
    from townhall_platform.bus.testing import NatsServer

    nats = stack.enter_context(NatsServer(state / "nats"))
    return {spec.env_prefix + "NATS_URL": nats.url for spec in specs}


def _descendants(pid: int) -> list[int]:
    """`pid` and the processes it started, recursively (uvicorn's workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue  # a thread that just ended
        for child in children:
            found += _descendants(int(child))
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process and its live children used so far (Linux
    `/proc`): a service's workers are children of the process the launcher started."""
    total = 0
    for process in _descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended since it was listed
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_seconds() -> float:
    """User + system CPU seconds of the PostgreSQL server's processes so far (every
    process named `postgres`: the server and its backends, the setup's connections
    among them; a backend that exits during a step takes its share with it)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended since it was listed
        name, fields = text[text.index("(") + 1 :].rsplit(")", 1)
        if name == "postgres":
            values = fields.split()
            total += int(values[11]) + int(values[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Step:
    scenario: str
    load: LoadStep
    cpu_ms_per_request: dict[str, float]  # per service, over the step's requests


def _step(
    scenario: str,
    make: RequestMaker,
    rate: float,
    *,
    url: str,
    tokens: dict[str, str],
    users: list[str],
    seconds: float,
    pids: dict[str, int],
    postgres: bool,
) -> Step:
    def cpu() -> dict[str, float]:
        used = {name: _cpu_seconds(pid) for name, pid in pids.items()}
        return used | ({"postgresql": _postgres_cpu_seconds()} if postgres else {})

    before = cpu()
    with profiling.recording(scenario, pids, seconds):
        load = run_load(url=url, tokens=tokens, users=users, make=make, rate=rate, seconds=seconds)
    used = {name: seconds_used - before[name] for name, seconds_used in cpu().items()}
    per_request = {name: 1000 * cpu / max(load.sent, 1) for name, cpu in used.items()}
    return Step(scenario, load, per_request)


def _measure(
    urls: dict[str, str],
    tokens: dict[str, str],
    *,
    rates: list[float],
    seconds: float,
    concurrency: int,
    freshness: int,
    pids: dict[str, int],
    postgres: bool,
    post_ids: list[str],
) -> tuple[list[Step], list[float], list[Cost]]:
    users = [EMPLOYEES[i % len(EMPLOYEES)] for i in range(concurrency)]
    tokens_by_user = {user: tokens[user] for user in users}
    common: dict[str, Any] = {
        "url": urls["publishing"],
        "tokens": tokens_by_user,
        "users": users,
        "pids": pids,
        "postgres": postgres,
    }
    # A short warm-up fills connection pools and caches on every side.
    _step("warm-up", read_feed_page, 50, seconds=2, **common)
    steps: list[Step] = []
    scenarios = [
        ("POST /v1/posts (social)", create_social_post),
        ("GET /v1/feed (20 items)", read_feed_page),
    ]
    for label, make in scenarios:
        for rate in rates:
            console.print(f"{label}: {rate:.0f} req/s for {seconds:.0f} s")
            step = _step(label, make, rate, seconds=seconds, **common)
            steps.append(step)
            if _percentile(step.load.samples, 0.95) >= GOAL_P95_MS or step.load.errors:
                break  # past what the service sustains: higher rates only queue more
    costs = _costs(steps, urls, seconds=seconds, common=common, post_ids=post_ids)
    return steps, _freshness(urls, tokens, freshness), costs


def _costs(
    steps: list[Step],
    urls: dict[str, str],
    *,
    seconds: float,
    common: dict[str, Any],
    post_ids: list[str],
) -> list[Cost]:
    """CPU per request of each request of issue 21 at `GOAL_RATE`, and of the floors."""
    rate = GOAL_RATE
    # Each scenario's step nearest the rate (it stops early when the service falls behind).
    nearest: dict[str, Step] = {}
    for step in steps:
        held = nearest.get(step.scenario)
        if held is None or abs(step.load.rate - rate) < abs(held.load.rate - rate):
            nearest[step.scenario] = step
    costs = [
        Cost(scenario, process, cpu_ms)
        for scenario, step in nearest.items()
        for process, cpu_ms in step.cpu_ms_per_request.items()
    ]
    label = "GET /v1/posts/{id}"
    console.print(f"{label}: {rate:.0f} req/s for {seconds:.0f} s")
    step = _step(label, ReadPost(post_ids), rate, seconds=seconds, **common)
    costs += [Cost(label, "publishing", step.cpu_ms_per_request["publishing"])]
    for label, service, make in SERVICE_REQUESTS:
        console.print(f"{label}: {rate:.0f} req/s for {seconds:.0f} s")
        step = _step(label, make, rate, seconds=seconds, **(common | {"url": urls[service]}))
        costs.append(Cost(label, service, step.cpu_ms_per_request[service]))

    def floor_step(make: RequestMaker, url: str, pid: int) -> float:
        console.print(f"floor {url}: {rate:.0f} req/s for {seconds:.0f} s")
        options = common | {"url": url, "pids": {"floor": pid}, "postgres": False}
        return _step("floor", make, rate, seconds=seconds, **options).cpu_ms_per_request["floor"]

    return costs + floor_costs(floor_step)


def _cpu_or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print_tables(results: list[Result], *, concurrency: int) -> None:
    table = Table(
        title=(
            f"Publishing over HTTP, open loop ({concurrency} users, latency from the due time; "
            f"loopback, tantivy, {os.cpu_count()} cores)"
        )
    )
    columns = (
        "setup",
        "measurement",
        "target req/s",
        "done req/s",
        "n",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "lead-in max ms",
        "CPU ms/req: publishing",
        "policy",
        "search",
        "postgresql",
        "load generator",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("setup", "measurement") else "right")
    for result in results:
        for step in result.steps:
            load = step.load
            table.add_row(
                str(result.setup),
                step.scenario,
                f"{load.rate:.0f}",
                f"{load.achieved:.0f}",
                str(len(load.samples)),
                str(load.errors),
                f"{_percentile(load.samples, 0.50):.1f}",
                f"{_percentile(load.samples, 0.95):.1f}",
                f"{_percentile(load.samples, 0.99):.1f}",
                f"{load.lead_in_max:.0f}",
                f"{step.cpu_ms_per_request['publishing']:.2f}",
                f"{step.cpu_ms_per_request['policy']:.2f}",
                f"{step.cpu_ms_per_request['search']:.2f}",
                _cpu_or_dash(step.cpu_ms_per_request.get("postgresql")),
                f"{1000 * load.generator_cpu_seconds / max(load.sent, 1):.2f}",
            )
        fresh = result.fresh
        table.add_row(
            str(result.setup),
            "publish → searchable, one at a time",
            "-",
            "-",
            str(len(fresh)),
            "0",
            f"{_percentile(fresh, 0.50):.1f}",
            f"{_percentile(fresh, 0.95):.1f}",
            f"{_percentile(fresh, 0.99):.1f}",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
        )
    wide = Console(width=max(console.width, 180))
    wide.print(table)

    goals = Table(title="Against the goals of issue 4")
    for column in ("setup", "goal", "measured", "met"):
        goals.add_column(column)
    for result in results:
        for scenario in dict.fromkeys(step.scenario for step in result.steps):
            mine = [s for s in result.steps if s.scenario == scenario]
            sustained = [
                s.load.rate
                for s in mine
                if not s.load.errors and _percentile(s.load.samples, 0.95) < GOAL_P95_MS
            ]
            at_goal = next((s for s in mine if s.load.rate == GOAL_RATE), None)
            at_rate = (
                f"p95 {_percentile(at_goal.load.samples, 0.95):.1f} ms at {GOAL_RATE:.0f} req/s"
                if at_goal
                else f"{GOAL_RATE:.0f} req/s not measured"
            )
            best = f"{max(sustained):.0f} req/s" if sustained else "none of the rates tried"
            goals.add_row(
                str(result.setup),
                f"{scenario}: p95 < {GOAL_P95_MS:.0f} ms at {GOAL_RATE:.0f} req/s",
                f"{at_rate}; highest rate with p95 < {GOAL_P95_MS:.0f} ms: {best}",
                "yes" if at_goal and GOAL_RATE in sustained else "no",
            )
        fresh_p95 = _percentile(result.fresh, 0.95)
        goals.add_row(
            str(result.setup),
            "publish → searchable p95 < 1 s",
            f"p95 {fresh_p95:.0f} ms",
            "yes" if fresh_p95 < 1000 else "no",
        )
    wide.print(goals)
