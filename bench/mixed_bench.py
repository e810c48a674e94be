"""A mixed load on PostgreSQL with two instances of every service (issue 19).

Starts NATS, osmem-server (the OpenSearch-compatible server search shares between its
instances), and two processes each of policy, publishing and search, each service
behind a round-robin balancer with readiness probes (`bench/balancer.py`, what a
Kubernetes Service does); the services reach each other through the balancers too.
Publishing and policy use throwaway PostgreSQL databases. After `--posts` posts are
seeded and indexed, the mix is offered at `--rate` requests/s for `--minutes`, open loop
(one generator process per endpoint, so each has its own latencies):

| share | request |
|---|---|
| 40 % | feed page (20 posts) |
| 30 % | a post |
| 20 % | a search |
| 6 % | a social post |
| 2 % | a comment |
| 1 % | a reaction |
| 0.5 % / 0.5 % | an official draft submitted (claire) / a submitted post approved (marc) |

It prints p50/p95/p99 and failures per endpoint, and the CPU per request of each
service (both instances together) and of the PostgreSQL server. Then the same load
again, with one publishing instance killed (SIGKILL) halfway and started again: the
failures are listed with when they fell due against the kill and the restart.

`--mixed-search tantivy` runs one search instance on tantivy instead (one writer per
index). Not covered: notifications (not on the path of these requests); osmem-server is
an in-memory emulator in one Python process, so with it search's figures say how our
service behaves with several instances, not how fast a real OpenSearch cluster answers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from townhall.launcher import ServiceSpec, run_step, service_command, service_environment
from townhall_contracts.demo import EMPLOYEES
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import free_port, temporary_postgres_database

from .balancer import Balancer
from .open_loop import LoadStep, RequestMaker, run_load
from .publishing_bench import _cpu_seconds, _percentile, _postgres_cpu_seconds, seed_posts
from .publishing_load import ReadPost, create_social_post, read_feed_page

console = Console()

SERVICES = ("policy", "publishing", "search")
INSTANCES = 2
GOAL_P95_MS = 50.0
LEAD_IN_SECONDS = 5.0
# Members of `engineering`, where the load's social posts go.
ENGINEERS = ["alice", "bob", "david", "farid"]
SEARCH_WORDS = ("production", "retour d'expérience", "mise en production", "semaine", "bench")


class SearchWords:
    """`GET /v1/search` over a few words of the seeded posts (picklable)."""

    def __call__(self, n: int, user: str) -> tuple[str, str, Any]:
        return "GET", f"/v1/search?q={SEARCH_WORDS[n % len(SEARCH_WORDS)]}", None


class CommentOn:
    def __init__(self, post_ids: list[str]) -> None:
        self.post_ids = post_ids

    def __call__(self, n: int, user: str) -> tuple[str, str, Any]:
        post = self.post_ids[n % len(self.post_ids)]
        return "POST", f"/v1/posts/{post}/comments", {"body": f"Merci pour ce point ({n})."}


REACTION_KINDS = ("like", "celebrate", "support", "insightful", "curious")


class ReactTo:
    """Reaction n is of one kind on post n: no "already reacted" refusal whoever sends it
    (the pool holds more posts than a run sends reactions)."""

    def __init__(self, post_ids: list[str], kind: str) -> None:
        self.post_ids = post_ids
        self.kind = kind

    def __call__(self, n: int, user: str) -> tuple[str, str, Any]:
        return "POST", f"/v1/posts/{self.post_ids[n]}/reactions", {"kind": self.kind}


class WorkflowStep:
    """`POST /v1/posts/{id}/<step>` on the n-th post of a pool prepared beforehand."""

    def __init__(self, step: str, post_ids: list[str]) -> None:
        self.step = step
        self.post_ids = post_ids

    def __call__(self, n: int, user: str) -> tuple[str, str, Any]:
        return "POST", f"/v1/posts/{self.post_ids[n]}/{self.step}", {}


@dataclass(frozen=True)
class Endpoint:
    name: str
    share: float
    service: str
    users: list[str]
    make: RequestMaker


@dataclass
class Run:
    title: str
    loads: dict[str, LoadStep]
    cpu_ms_per_request: dict[str, float]
    kill_at: float | None = None
    ready_again_at: float | None = None


@dataclass
class Instance:
    spec: ServiceSpec
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [*service_command(self.spec.name), "serve"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.spec.name} exited; see {self.log}")
                try:
                    if client.get(f"{self.spec.url}/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        raise RuntimeError(f"{self.spec.name} on {self.spec.url} not ready in {timeout:.0f} s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(30)


def run(
    *, rate: float, minutes: float, posts: int, kill: bool = True, search: str = "opensearch"
) -> list[Run]:
    """Start the system, measure the mix (and the mix with a kill), print the tables.

    `search="tantivy"` runs one search instance on tantivy (one writer per index, so one
    process) instead of two on osmem-server: it measures our service rather than the
    emulator."""
    seconds = minutes * 60
    rounds = 2 if kill else 1
    # Each run's reactions, submissions and approvals need posts of their own.
    need = max(_requests(rate, seconds, share) for share in (0.01, 0.005)) + 10
    with _system(posts, pool=need * rounds, search=search) as (instances, balancer, tokens, pools):
        runs = [
            _measure("steady", _mix(pools, 0, need), balancer, instances, tokens, rate, seconds)
        ]
        _print(runs[-1], rate)
        if kill:
            runs.append(
                _measure(
                    "one publishing instance killed halfway",
                    _mix(pools, 1, need),
                    balancer,
                    instances,
                    tokens,
                    rate,
                    seconds,
                    victim=instances["publishing"][1],
                )
            )
            _print(runs[-1], rate)
    return runs


def _requests(rate: float, seconds: float, share: float) -> int:
    """How many requests of an endpoint one run sends, its lead-in included."""
    return round(rate * share * (LEAD_IN_SECONDS + seconds)) + 1


def _mix(pools: dict[str, list[str]], round_: int, need: int) -> list[Endpoint]:
    readers = [user for user in EMPLOYEES if user not in ("claire", "marc")]
    public = pools["public"]
    own = slice(round_ * need, (round_ + 1) * need)
    return [
        Endpoint("feed", 0.40, "publishing", readers * 2, read_feed_page),
        Endpoint("post", 0.30, "publishing", readers * 2, ReadPost(public)),
        Endpoint("search", 0.20, "search", readers, SearchWords()),
        Endpoint("create", 0.06, "publishing", ENGINEERS, create_social_post),
        Endpoint("comment", 0.02, "publishing", readers[:4], CommentOn(public)),
        Endpoint("react", 0.01, "publishing", readers[:4], ReactTo(public, REACTION_KINDS[round_])),
        Endpoint(
            "submit", 0.005, "publishing", ["claire"], WorkflowStep("submit", pools["drafts"][own])
        ),
        Endpoint(
            "approve",
            0.005,
            "publishing",
            ["marc"],
            WorkflowStep("approve", pools["submitted"][own]),
        ),
    ]


def _measure(
    title: str,
    mix: list[Endpoint],
    balancer: Balancer,
    instances: dict[str, list[Instance]],
    tokens: dict[str, str],
    rate: float,
    seconds: float,
    victim: Instance | None = None,
) -> Run:
    console.rule(f"mixed load, {title}: {rate:.0f} requests/s for {seconds:.0f} s")
    pids = {
        f"{name}{n}": instance.process.pid
        for name, group in instances.items()
        for n, instance in enumerate(group)
        if instance.process is not None
    }
    before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    postgres_before = _postgres_cpu_seconds()
    loads: dict[str, LoadStep] = {}

    def offer(endpoint: Endpoint) -> None:
        loads[endpoint.name] = run_load(
            url=balancer.url(endpoint.service),
            tokens=tokens,
            users=endpoint.users,
            make=endpoint.make,
            rate=rate * endpoint.share,
            seconds=seconds,
            lead_in=LEAD_IN_SECONDS,
        )

    threads = [threading.Thread(target=offer, args=(e,)) for e in mix]
    for thread in threads:
        thread.start()
    result = Run(title, loads, {})
    if victim is not None:
        time.sleep(LEAD_IN_SECONDS + seconds / 2)
        result.kill_at = time.time()
        victim.stop(signal.SIGKILL)
        victim.start()
        victim.wait_ready()
        result.ready_again_at = time.time()
        console.print(
            f"killed {victim.spec.name} on {victim.spec.url}; ready again after "
            f"{result.ready_again_at - result.kill_at:.1f} s"
        )
    for thread in threads:
        thread.join()
    sent = sum(load.sent for load in loads.values())
    for name, pid in pids.items():
        # A restarted instance's CPU counts from its new start (its old process is gone).
        used = _cpu_seconds(pid) - before[name] if pid == _pid_of(instances, name) else 0.0
        service = name.rstrip("0123456789")
        result.cpu_ms_per_request[service] = result.cpu_ms_per_request.get(
            service, 0.0
        ) + 1000 * used / max(sent, 1)
    if victim is not None and victim.process is not None:
        result.cpu_ms_per_request["publishing"] += 1000 * _cpu_seconds(victim.process.pid) / sent
    result.cpu_ms_per_request["postgresql"] = (
        1000 * (_postgres_cpu_seconds() - postgres_before) / max(sent, 1)
    )
    return result


def _pid_of(instances: dict[str, list[Instance]], name: str) -> int | None:
    service = name.rstrip("0123456789")
    process = instances[service][int(name[len(service) :])].process
    return process.pid if process is not None else None


def _print(result: Run, rate: float) -> None:
    table = Table(title=f"Mixed load at {rate:.0f} requests/s, {result.title}")
    for column in ("endpoint", "offered/s", "done/s", "p50 ms", "p95 ms", "p99 ms", "failures"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for name, load in result.loads.items():
        p95 = _percentile(load.samples, 0.95)
        table.add_row(
            name,
            f"{load.rate:.1f}",
            f"{load.achieved:.1f}",
            f"{_percentile(load.samples, 0.50):.1f}",
            f"{p95:.1f}" + (" ✓" if p95 <= GOAL_P95_MS else " ✗"),
            f"{_percentile(load.samples, 0.99):.1f}",
            str(load.errors),
        )
    console.print(table)
    costs = ", ".join(f"{k} {v:.2f} ms" for k, v in result.cpu_ms_per_request.items())
    console.print(f"CPU per request (all instances of a service together): {costs}")
    failures = sorted(
        (due, status, name) for name, load in result.loads.items() for due, status in load.failures
    )
    if not failures:
        console.print("no request failed")
        return
    statuses = Counter(status for _, status, _ in failures)
    console.print(f"{len(failures)} failures by status (0: no answer): {dict(statuses)}")
    if result.kill_at is not None and result.ready_again_at is not None:
        near = [due for due, _, _ in failures if result.kill_at - 1 <= due <= result.kill_at + 0.5]
        console.print(
            f"due within 1 s before the kill and 0.5 s after it: {len(near)}; "
            f"first failure due {failures[0][0] - result.kill_at:+.2f} s from the kill, "
            f"last {failures[-1][0] - result.kill_at:+.2f} s"
        )


@contextmanager
def _system(
    posts: int, *, pool: int, search: str
) -> Iterator[tuple[dict[str, list[Instance]], Balancer, dict[str, str], dict[str, list[str]]]]:
    from osmem_server import OsmemServer

    with tempfile.TemporaryDirectory(prefix="townhall-bench-mixed-") as tmp, ExitStack() as stack:
        state = Path(tmp)
        key = ensure_signing_key(state / "keys" / "dev-signing-key.pem")
        nats = stack.enter_context(NatsServer(state / "nats"))
        osmem = OsmemServer.start(japanese=False)
        stack.callback(osmem.close)
        single = {"search"} if search == "tantivy" else set()
        ports = {
            name: [free_port() for _ in range(1 if name in single else INSTANCES)]
            for name in SERVICES
        }
        balancer = stack.enter_context(Balancer(ports))
        databases = {
            name: stack.enter_context(temporary_postgres_database(prefix=f"townhall_mixed_{name}"))
            for name in ("policy", "publishing")
        }
        shared = {
            "NATS_URL": nats.url,
            "LOG_LEVEL": "WARNING",
            "RATE_LIMITS_ENABLED": "false",
            **{f"{name.upper()}_URL": balancer.url(name) for name in SERVICES},
        }
        own = {
            "policy": {"DATABASE_URL": databases["policy"]},
            "publishing": {"DATABASE_URL": databases["publishing"]},
            "search": {"BACKEND": "tantivy", "INDEX_DIR": str(state / "search-index")}
            if search == "tantivy"
            else {
                "BACKEND": "opensearch",
                "OPENSEARCH_URL": osmem.url,
                "OPENSEARCH_INDEX": f"townhall-mixed-{uuid.uuid4().hex[:8]}",
                "OPENSEARCH_REPLICAS": "0",
            },
        }
        instances: dict[str, list[Instance]] = {}
        for name in SERVICES:
            group = []
            for n, port in enumerate(ports[name]):
                spec = ServiceSpec(name, port)
                settings = {spec.env_prefix + k: v for k, v in (shared | own[name]).items()}
                env = service_environment(spec, state, base={**os.environ, **settings})
                env[spec.env_prefix + "PORT"] = str(port)
                group.append(Instance(spec, env, state / f"{name}{n}.log"))
            instances[name] = group
        for name in ("policy", "publishing"):
            run_step(instances[name][0].spec, "migrate", instances[name][0].env)
            run_step(instances[name][0].spec, "seed", instances[name][0].env)
        public = seed_posts(databases["publishing"], posts, keep=pool)
        if len(public) < pool:
            raise SystemExit(
                f"--posts {posts:,} leaves {len(public):,} public posts; {pool:,} needed"
            )
        for group in instances.values():
            for instance in group:
                instance.start()
                stack.callback(instance.stop)
        for group in instances.values():
            for instance in group:
                instance.wait_ready()
        issuer = TokenIssuer(
            key,
            issuer="townhall-dev",
            user_audience="townhall",
            service_audience="townhall-internal",
        )
        tokens = {user: issuer.user_token(user) for user in EMPLOYEES}
        _reindex(instances["search"][0].spec.url, issuer, posts)
        pools = {"public": public, **_official_pools(balancer, tokens, count=pool)}
        yield instances, balancer, tokens, pools


def _reindex(search_url: str, issuer: TokenIssuer, posts: int) -> None:
    """Index the seeded posts (they went straight into the database) and wait for it, on
    one instance (a rebuild's progress is known where it runs)."""
    service = {"Authorization": f"Bearer {issuer.service_token('bench')}"}
    with httpx.Client(base_url=search_url, headers=service, timeout=60) as http:
        http.post("/internal/v1/index/reindex").raise_for_status()
        started = time.monotonic()
        while True:
            state = http.get("/internal/v1/index/reindex").json()["state"]
            if state == "failed":
                raise RuntimeError("the rebuild failed; see the search instance's log")
            if state == "succeeded":
                break
            if time.monotonic() - started > 1800:
                raise RuntimeError(f"the rebuild of {posts:,} posts did not end in 30 min")
            time.sleep(1)
    console.print(f"search rebuilt over {posts:,} posts in {time.monotonic() - started:.0f} s")


def _official_pools(
    balancer: Balancer, tokens: dict[str, str], *, count: int
) -> dict[str, list[str]]:
    """Official drafts for claire to submit, and submitted posts for marc to approve."""
    claire = {"Authorization": f"Bearer {tokens['claire']}"}
    drafts: list[str] = []
    submitted: list[str] = []
    with httpx.Client(base_url=balancer.url("publishing"), headers=claire, timeout=60) as http:
        for n in range(2 * count):  # progress: every 500
            if n and n % 500 == 0:
                console.print(f"official posts prepared: {n:,} of {2 * count:,}")
            answer = http.post(
                "/v1/posts",
                json={
                    "space_id": "general",
                    "kind": "official",
                    "title": f"Note de service {n}",
                    "body": "Les consignes de la semaine.",
                    "audience_groups": ["engineering"],
                },
            )
            answer.raise_for_status()
            post_id = answer.json()["id"]
            if n % 2:
                http.post(f"/v1/posts/{post_id}/submit", json={}).raise_for_status()
                submitted.append(post_id)
            else:
                drafts.append(post_id)
    return {"drafts": drafts, "submitted": submitted}
