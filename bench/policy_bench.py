"""The policy service at the issue's scale: in-process, over HTTP, who-can; against pycasbin.

Builds a throwaway SQLite policy database (migrated by the service's own migrations) with
10,000 users, 1,000 spaces and 100,000 space memberships (one space has 1,000 members),
plus org roles, department and site groups, owners and some revoked grants; then measures

- the service's decisions in process (warm p50/p99, the first decision in an untouched
  domain, the reload that builds a snapshot), and the same on a plain `casbin.Enforcer`
  over the same rules (file-backed model and policy, no project code in the loop);
- `townhall-policy serve` as a real process (`--workers` uvicorn workers): decisions
  per second, p50 and p99 from `wrk` over keep-alive connections on loopback (closed
  loop), the latency at a fixed offered rate (open loop, `bench.load` in its own
  process), and batches of 100 (wrk, one connection); `--load-generator httpx` keeps
  the older Python clients;
- who-can at a past instant for the 1,000-member space (in process and over HTTP), and
  the same question asked of casbin (one `enforce` per user).

The directory is bulk-loaded straight into the tables (a bench fixture, not an import:
the audit trail of such a load is not what is measured).
"""

from __future__ import annotations

import gc
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.load import LoadResult, run_open_loop, run_wrk, wrk_available, wrk_script
from townhall_contracts.policy import Action, DecisionRequest
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_platform.logs import configure_logging
from townhall_platform.testing import free_port
from townhall_policy.compliance.queries import who_can
from townhall_policy.decisions.service import decide
from townhall_policy.domains.models import Domain
from townhall_policy.enforcement.reference import CasbinRules, casbin_rules, file_enforcer
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.loader import load_changes, load_policy_data
from townhall_policy.grants.service import grant_role
from townhall_policy.holdings.directory.models import DirectoryPeriod, GroupMembership, Subject
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.migrations import MIGRATIONS_DIR

console = Console(width=150)

BIG_SPACE = "space:s0003"  # a restricted community: only its members post
AUDITOR = "bench-auditor"
ADMIN = "bench-admin"
CHUNK = 10_000


@dataclass(frozen=True)
class Scale:
    users: int = 10_000
    spaces: int = 1_000
    memberships: int = 100_000
    big_space_members: int = 1_000


@dataclass
class Row:
    metric: str
    townhall: str
    casbin: str = ""
    ratio: str = ""
    goal: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    # The key figures as numbers, for `python -m bench compare` (see bench/key_figures.py).
    figures: dict[str, float] = field(default_factory=dict)

    def add(self, *args: str) -> None:
        self.rows.append(Row(*args))


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f} ms"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _ratio(slow: float, fast: float) -> str:
    return f"x{slow / fast:,.1f}" if fast > 0 else ""


# --- the directory -------------------------------------------------------------------


def generate(url: str, scale: Scale, rng: random.Random, now: datetime) -> dict[str, int]:
    """Bulk-load the directory, spaces and grants; return what was written."""
    run_migrations(url, MIGRATIONS_DIR)
    engine = make_engine(url)
    users = [f"u{i:05d}" for i in range(scale.users)]
    spaces = [f"space:s{i:04d}" for i in range(scale.spaces)]
    departments = [f"dept-{i:02d}" for i in range(20)]
    sites = [f"site-{i:02d}" for i in range(20)]
    long_ago = now - timedelta(days=400)

    def since() -> datetime:
        return now - timedelta(days=rng.randint(30, 400), seconds=rng.randint(0, 86_400))

    subjects = [
        {
            "id": u,
            "display_name": u,
            "kind": "user",
            "department": None,
            "email": None,
            "group_type": None,
            "active": True,
            "created_at": long_ago,
            "updated_at": long_ago,
        }
        for u in [*users, AUDITOR, ADMIN]
    ] + [
        {
            "id": g,
            "display_name": g,
            "kind": "group",
            "department": None,
            "email": None,
            "group_type": "department" if g.startswith("dept") else "site",
            "active": True,
            "created_at": long_ago,
            "updated_at": long_ago,
        }
        for g in [*departments, *sites]
    ]
    memberships = [
        {"group_id": group, "member_id": u, "created_at": long_ago}
        for u in users
        for group in (rng.choice(departments), rng.choice(sites))
    ]
    domains = [
        {
            "id": s,
            "kind": "announcement" if i % 5 == 0 else "community",
            "visibility": "restricted" if i % 3 == 0 else "public",
            "created_at": long_ago,
            "updated_at": long_ago,
        }
        for i, s in enumerate(spaces)
    ]
    grants: list[dict[str, Any]] = []

    def grant(subject: str, role: str, domain: str) -> None:
        start = since()
        revoked = start + timedelta(days=10) if rng.random() < 0.01 else None
        grants.append(
            {
                "id": f"g{len(grants):07d}",
                "subject_id": subject,
                "role": role,
                "domain": domain,
                "valid_from": start,
                "valid_to": None,
                "granted_by": ADMIN,
                "granted_at": start,
                "justification": "Bench directory",
                "revoked_at": revoked,
                "revoked_by": ADMIN if revoked else None,
                "revocation_justification": "Bench" if revoked else None,
            }
        )

    for u in users:
        grant(u, "employee", "org")
    for u in rng.sample(users, 60):
        grant(u, rng.choice(["communicator", "moderator", "spokesperson"]), "org")
    grant(AUDITOR, "compliance_officer", "org")
    grant(ADMIN, "policy_admin", "org")
    for s in spaces:
        grant(rng.choice(users), "owner", s)
    for u in rng.sample(users, scale.big_space_members):
        grant(u, "member", BIG_SPACE)
    remaining = scale.memberships - scale.big_space_members
    others = [s for s in spaces if s != BIG_SPACE]
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < remaining:
        pairs.add((rng.choice(users), rng.choice(others)))
    for u, s in sorted(pairs):
        grant(u, "member", s)
    for g in rng.sample(departments, 10):
        grant(g, "member", rng.choice(others))

    periods = [
        {
            "kind": "membership",
            "subject_id": m["member_id"],
            "group_id": m["group_id"],
            "valid_from": long_ago,
            "valid_to": None,
        }
        for m in memberships
    ]
    steps: list[tuple[str, Any, list[dict[str, Any]]]] = [
        ("subjects", Subject.__table__, subjects),
        ("group memberships", GroupMembership.__table__, memberships),
        ("membership history", DirectoryPeriod.__table__, periods),
        ("domains", Domain.__table__, domains),
        ("grants", Grant.__table__, grants),
    ]
    total = sum(len(rows) for _, _, rows in steps)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("generating the directory", total=total)
        with Session(engine) as session:
            for label, table, rows in steps:
                progress.update(task, description=f"writing {label}")
                for start in range(0, len(rows), CHUNK):
                    chunk = rows[start : start + CHUNK]
                    session.execute(insert(table), chunk)
                    progress.advance(task, len(chunk))
            session.commit()
    engine.dispose()
    return {
        "subjects": len(subjects),
        "memberships": len(memberships),
        "grants": len(grants),
        "space memberships": scale.memberships,
    }


# --- in process ----------------------------------------------------------------------


def _apply_grant_changes(
    engine: Engine, snapshot: PolicySnapshot, rng: random.Random, *, changes: int = 7
) -> tuple[PolicySnapshot, list[float]]:
    """Grant through the service, then time bringing the snapshot up to date by applying
    the change (read the events and the grantee's rows, derive, copy on write)."""
    seconds: list[float] = []
    users = sorted(s for s in snapshot.subjects if s.startswith("u"))
    spaces = sorted(d for d in snapshot.domains if d.startswith("space:") and d != BIG_SPACE)
    for i in range(changes):
        user, space = rng.choice(users), rng.choice(spaces)
        while "member" in snapshot.space_roles.get((user, space), {}):
            user, space = rng.choice(users), rng.choice(spaces)
        with session_scope(engine) as session:
            grant_role(
                session,
                snapshot,
                subject_id=user,
                role="member",
                domain=space,
                granted_by=ADMIN,
                justification=f"Bench change {i}",
            )
        now = datetime.now(UTC)
        started = time.perf_counter()
        change = load_changes(engine, snapshot, now=now)
        assert change is not None, "the bench's changes must apply without a full reload"
        snapshot = snapshot.apply(change, now=now)
        seconds.append(time.perf_counter() - started)
    return snapshot, seconds


def _triples(
    rng: random.Random, snapshot: PolicySnapshot, count: int
) -> list[tuple[str, str, str]]:
    users = [s for s in snapshot.subjects if s.startswith("u")]
    domains = list(snapshot.domains)
    actions = [a.value for a in Action]
    return [(rng.choice(users), rng.choice(actions), rng.choice(domains)) for _ in range(count)]


def _resident_mib() -> float:
    """This process's resident memory (Linux `/proc`), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _time_each(items: Iterable[Any], call: Callable[[Any], object]) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        call(item)
        samples.append(time.perf_counter() - started)
    return samples


def in_process(url: str, rng: random.Random, results: Results, workdir: Path) -> PolicySnapshot:
    engine = make_engine(url)
    now = datetime.now(UTC)
    gc.collect()
    resident_before = _resident_mib()
    started = time.perf_counter()
    data = load_policy_data(engine, now=now)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    snapshot = PolicySnapshot.build(data)
    build_seconds = time.perf_counter() - started
    gc.collect()
    # The rows read stay counted: a later step builds from them again.
    resident = _resident_mib() - resident_before
    gc.freeze()  # as the engine does after each reload
    snapshot, apply_seconds = _apply_grant_changes(engine, snapshot, rng)
    engine.dispose()

    # casbin over the same rules: a file-backed model and policy, nothing else.
    rules = casbin_rules(snapshot)
    started = time.perf_counter()
    enforcer = file_enforcer(rules, workdir)
    casbin_load = time.perf_counter() - started
    results.add(
        "policy load (read tables + build)",
        f"{_ms(read_seconds)} + {_ms(build_seconds)}",
        f"{_ms(casbin_load)} (rules file → Enforcer)",
        "",
        "",
    )
    results.add(
        "rows read + snapshot, resident memory (process growth)", f"{resident:,.0f} MiB", "", "", ""
    )
    results.add(
        f"apply one grant change (median / max of {len(apply_seconds)}) vs full reload",
        f"{_ms(statistics.median(apply_seconds))} / {_ms(max(apply_seconds))} "
        f"vs {read_seconds + build_seconds:.2f} s",
        "",
        _ratio(read_seconds + build_seconds, statistics.median(apply_seconds)),
        "",
    )

    # The first decision in domains nobody asked about yet, the big space first.
    # (`org` is left out: pycasbin's first check there, 10,000 links, takes minutes.)
    spaces = [d for d in snapshot.domains if d not in (BIG_SPACE, "org")]
    untouched = [BIG_SPACE, *rng.sample(spaces, 49)]
    members = [h for h in snapshot.subjects if h.startswith("u")]
    fresh = PolicySnapshot.build(data)
    gc.freeze()

    def first_fast(domain: str) -> None:
        request = DecisionRequest(
            subject=rng.choice(members), action=Action.POST_SOCIAL, domain=domain
        )
        decide(fresh, request, requested_by="bench")

    first_ours = _time_each(untouched, first_fast)
    # On the whole enforcer, pycasbin's first check in the 1,000-member space took minutes
    # (the role graph of a domain is built on first use, roughly links-in-domain x all
    # links): the big space is measured on an enforcer holding only its own rules.
    ordinary = untouched[1:]
    first_casbin = _time_each(
        ordinary,
        lambda d: enforcer.enforce(f"user:{rng.choice(members)}", d, "post.social"),
    )
    big = _big_space_enforcer(snapshot, members, workdir)
    started = time.perf_counter()
    big.enforce(f"user:{members[0]}", BIG_SPACE, "post.social")
    first_big = time.perf_counter() - started
    results.add(
        "first decision in an untouched domain: p50 of 49 / max / the 1,000-member space",
        f"{_us(statistics.median(first_ours[1:]))} / {_us(max(first_ours))} / {_us(first_ours[0])}",
        f"{_ms(statistics.median(first_casbin))} / {_ms(max(first_casbin))} / "
        f"{_ms(first_big)} (its rules only)",
        f"{_ratio(statistics.median(first_casbin), statistics.median(first_ours[1:]))} / "
        f"{_ratio(first_big, first_ours[0])}",
        "< 5 ms",
    )

    triples = _triples(rng, snapshot, 20_000)
    requests = [DecisionRequest(subject=s, action=Action(a), domain=d) for s, a, d in triples]
    for request in requests[:2000]:  # warm-up
        decide(snapshot, request, requested_by="bench")
    ours = _time_each(requests, lambda r: decide(snapshot, r, requested_by="bench"))
    results.figures["policy.in_process.per_s"] = len(ours) / sum(ours)
    bare = _time_each(triples, lambda t: snapshot.allows(*t))
    sample = [t for t in triples if t[2] != BIG_SPACE][:3000]
    for s, a, d in sample[:300]:
        enforcer.enforce(f"user:{s}", d, a)
    theirs = _time_each(sample, lambda t: enforcer.enforce(f"user:{t[0]}", t[2], t[1]))
    results.add(
        "decision, warm, with explanation (p50 / p99)",
        f"{_us(_pct(ours, 0.5))} / {_us(_pct(ours, 0.99))}",
        f"{_us(_pct(theirs, 0.5))} / {_us(_pct(theirs, 0.99))}",
        f"{_ratio(_pct(theirs, 0.5), _pct(ours, 0.5))} / "
        f"{_ratio(_pct(theirs, 0.99), _pct(ours, 0.99))}",
        "p99 < 100 µs",
    )
    results.add(
        "yes/no only, warm (p50 / p99)",
        f"{_us(_pct(bare, 0.5))} / {_us(_pct(bare, 0.99))}",
        f"{_us(_pct(theirs, 0.5))} / {_us(_pct(theirs, 0.99))}",
        f"{_ratio(_pct(theirs, 0.5), _pct(bare, 0.5))} / "
        f"{_ratio(_pct(theirs, 0.99), _pct(bare, 0.99))}",
        "",
    )
    disagreements = sum(
        1 for s, a, d in sample if snapshot.allows(s, d, a) != enforcer.enforce(f"user:{s}", d, a)
    )
    results.add(
        "disagreements with casbin on the sample", f"{disagreements} of {len(sample)}", "", "", "0"
    )

    # who-can at a past instant for the 1,000-member space.
    past = now - timedelta(days=20)
    engine = make_engine(url)
    with Session(engine) as session:
        timings = _time_each(
            range(5), lambda _: who_can(session, action="post.social", domain=BIG_SPACE, at=past)
        )
        holders = who_can(session, action="post.social", domain=BIG_SPACE, at=past).holdings
    engine.dispose()
    # casbin has no who-can: one enforce per user. 2,000 of them (the space's members and
    # as many others) keep the run short; 10,000 took two minutes.
    in_space = {link[0].removeprefix("user:") for link in big.get_grouping_policy()}
    asked = sorted(in_space) + [u for u in members if u not in in_space][: len(in_space)]
    started = time.perf_counter()
    casbin_now = [u for u in asked if big.enforce(f"user:{u}", BIG_SPACE, "post.social")]
    casbin_who = time.perf_counter() - started
    results.add(
        f"who-can at a past instant, {BIG_SPACE} (median of 5; {len(holders)} holders)",
        _ms(statistics.median(timings)),
        f"{_ms(casbin_who)} (enforce x {len(asked):,} users on its rules only; "
        f"now, not at a past instant: {len(casbin_now)} holders)",
        _ratio(casbin_who, statistics.median(timings)),
        "< 200 ms",
    )
    return snapshot


def _big_space_enforcer(snapshot: PolicySnapshot, members: list[str], workdir: Path) -> Any:
    """A plain enforcer over the big space's rules only: its links and its class."""
    rules = casbin_rules(snapshot)
    links = [link for link in rules.role_links if link[2] == BIG_SPACE]
    classes = [link for link in rules.class_links if link[0] == BIG_SPACE]
    big = CasbinRules(policies=rules.policies, role_links=links, class_links=classes)
    return file_enforcer(big, workdir, name="big")


# --- over HTTP -----------------------------------------------------------------------


def over_http(
    url: str,
    workdir: Path,
    snapshot: PolicySnapshot,
    rng: random.Random,
    results: Results,
    *,
    seconds: float,
    clients: int,
    workers: int,
    load_generator: str,
    offered_rate: float,
) -> None:
    key_file = workdir / "keys" / "signing-key.pem"
    issuer = TokenIssuer(
        ensure_signing_key(key_file),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )
    port = free_port()
    env = {
        **os.environ,
        "TOWNHALL_POLICY_ENVIRONMENT": "test",
        "TOWNHALL_POLICY_PORT": str(port),
        "TOWNHALL_POLICY_DATABASE_URL": url,
        "TOWNHALL_POLICY_SIGNING_KEY_FILE": str(key_file),
        "TOWNHALL_POLICY_LOG_LEVEL": "WARNING",
        # The load would meet the per-user rate limits.
        "TOWNHALL_POLICY_RATE_LIMITS_ENABLED": "false",
        "TOWNHALL_POLICY_LOG_JSON": "true",
        "TOWNHALL_POLICY_WORKERS": str(workers),
    }
    log_path = workdir / "policy.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from townhall_policy.cli import main; main()", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        with console.status("starting townhall-policy serve on the bench database"):
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"policy did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
        token = issuer.service_token("bench")
        service = {"Authorization": f"Bearer {token}"}
        auditor = {"Authorization": f"Bearer {issuer.user_token(AUDITOR)}"}
        triples = _triples(rng, snapshot, 50_000)
        label = f"{workers} worker(s)"
        if load_generator == "wrk":
            _wrk_and_open_loop(
                results,
                base,
                workdir,
                token,
                triples,
                label,
                seconds=seconds,
                connections=clients,
                offered_rate=offered_rate,
            )
        else:
            _httpx_clients(results, base, service, triples, label, seconds=seconds, clients=clients)
        with httpx.Client(base_url=base, headers=service, timeout=10) as http:
            past = (datetime.now(UTC) - timedelta(days=20)).isoformat()
            params = {"action": "post.social", "domain": BIG_SPACE, "at": past}
            http.get("/v1/audit/who-can", params=params, headers=auditor).raise_for_status()
            who = _time_each(
                range(10),
                lambda _: http.get(
                    "/v1/audit/who-can", params=params, headers=auditor
                ).raise_for_status(),
            )
            results.add(
                f"HTTP who-can at a past instant, {BIG_SPACE} (p50 / max of 10)",
                f"{_ms(_pct(who, 0.5))} / {_ms(max(who))}",
                "",
                "",
                "< 200 ms",
            )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _http_row(results: Results, metric: str, result: LoadResult, goal: str) -> None:
    errors = f", {result.errors} errors" if result.errors else ""
    lead_in = f"; lead-in max {_ms(result.lead_in_max)}" if result.lead_in_max else ""
    results.add(
        metric,
        f"{result.per_second:,.0f}/s ({_ms(result.p50)} / {_ms(result.p99)}){errors}{lead_in}",
        "",
        "",
        goal,
    )


def _wrk_and_open_loop(
    results: Results,
    base: str,
    workdir: Path,
    token: str,
    triples: list[tuple[str, str, str]],
    label: str,
    *,
    seconds: float,
    connections: int,
    offered_rate: float,
) -> None:
    """Single decisions with wrk and at a fixed rate; batches of 100 with wrk."""
    bodies = [json.dumps({"subject": s, "action": a, "domain": d}) for s, a, d in triples]
    single = wrk_script(
        workdir / "decisions.lua", url_path="/v1/decisions", bodies=bodies[:10_000], token=token
    )
    with console.status(f"wrk: warming up ({label}: every worker loaded and serving)"):
        run_wrk(base, single, connections=connections, seconds=min(seconds, 4))
    with console.status(f"wrk: {connections} connections for {seconds:.0f} s"):
        result = run_wrk(base, single, connections=connections, seconds=seconds)
    results.figures |= {
        "policy.http.per_s": result.per_second,
        "policy.http.p95_ms": result.p95 * 1e3,
    }
    _http_row(
        results,
        f"HTTP decisions, wrk, {connections} connections, {label}: per second (p50 / p99)",
        result,
        "≥ 2,000/s, p99 < 10 ms",
    )
    bodies_file = workdir / "decisions.jsonl"
    bodies_file.write_text("\n".join(bodies[:10_000]) + "\n")
    with console.status(f"open loop: {offered_rate:,.0f} decisions/s for {seconds:.0f} s"):
        result = run_open_loop(
            base,
            url_path="/v1/decisions",
            bodies_file=bodies_file,
            token=token,
            rate=offered_rate,
            seconds=seconds,
            connections=32,
        )
    results.figures |= {
        "policy.open_loop.per_s": result.per_second,
        "policy.open_loop.p95_ms": result.p95 * 1e3,
    }
    _http_row(
        results,
        f"HTTP decisions offered at {offered_rate:,.0f}/s, open loop, 32 connections, {label}: "
        "achieved per second (p50 / p99 from the due instant, after a 1 s lead-in at the rate)",
        result,
        "p99 < 10 ms at 2,000/s",
    )
    batch_bodies = [
        json.dumps({"decisions": [{"subject": s, "action": a, "domain": d} for s, a, d in chunk]})
        for chunk in (triples[i : i + 100] for i in range(0, 6_000, 100))
    ]
    batch = wrk_script(
        workdir / "batch.lua", url_path="/v1/decisions/batch", bodies=batch_bodies, token=token
    )
    run_wrk(base, batch, connections=1, seconds=2)
    with console.status(f"wrk: batches of 100 on one connection for {seconds:.0f} s"):
        result = run_wrk(base, batch, connections=1, seconds=seconds)
    _http_row(
        results,
        f"HTTP batch of 100 decisions, wrk, 1 connection, {label}: batches per second (p50 / p99)",
        result,
        "p99 < 20 ms",
    )


def _httpx_clients(
    results: Results,
    base: str,
    service: dict[str, str],
    triples: list[tuple[str, str, str]],
    label: str,
    *,
    seconds: float,
    clients: int,
) -> None:
    """The older load generator: Python httpx clients in threads of the bench process.

    It costs about as much CPU per request as the service, on the same cores.
    """
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, headers=service, timeout=10) as http:
            n = offset
            while time.monotonic() < stop_at:
                s, a, d = triples[n % len(triples)]
                started = time.perf_counter()
                http.post("/v1/decisions", json={"subject": s, "action": a, "domain": d})
                mine.append(time.perf_counter() - started)
                n += clients
        with lock:
            latencies.extend(mine)

    with console.status(f"{clients} concurrent clients for {seconds:.0f} s"):
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
    results.figures |= {
        "policy.http.per_s": len(latencies) / elapsed,
        "policy.http.p95_ms": _pct(latencies, 0.95) * 1e3,
    }
    results.add(
        f"HTTP decisions, httpx, {clients} clients, {label}: per second (p50 / p99)",
        f"{len(latencies) / elapsed:,.0f}/s ({_ms(_pct(latencies, 0.5))} / "
        f"{_ms(_pct(latencies, 0.99))})",
        "",
        "",
        "≥ 2,000/s, p99 < 10 ms",
    )
    with httpx.Client(base_url=base, headers=service, timeout=10) as http:
        batches = [
            {
                "decisions": [
                    {"subject": s, "action": a, "domain": d}
                    for s, a, d in triples[i * 100 : (i + 1) * 100]
                ]
            }
            for i in range(60)
        ]
        for body in batches[:10]:
            http.post("/v1/decisions/batch", json=body).raise_for_status()
        batch_times = _time_each(
            batches[10:], lambda b: http.post("/v1/decisions/batch", json=b).raise_for_status()
        )
    results.add(
        f"HTTP batch of 100 decisions, httpx, 1 client, {label} (p50 / p99)",
        f"{_ms(_pct(batch_times, 0.5))} / {_ms(_pct(batch_times, 0.99))}",
        "",
        "",
        "p99 < 20 ms",
    )


def run(
    *,
    scale: Scale | None = None,
    http_seconds: float = 8.0,
    clients: int = 8,
    workers: int = 1,
    load_generator: str = "wrk",
    offered_rate: float = 2_000.0,
    seed: int = 2026,
) -> Results:
    """Generate, measure, print the table; returns the rows (for tests of the bench)."""
    results = measure_on_a_directory(
        scale=scale or Scale(),
        seed=seed,
        status="measuring in process and on plain pycasbin",
        in_process=in_process,
        http_seconds=http_seconds,
        clients=clients,
        workers=workers,
        load_generator=load_generator,
        offered_rate=offered_rate,
    )
    table = Table(title=f"policy (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    for column in ("metric", "townhall policy", "plain pycasbin", "ratio", "goal"):
        table.add_column(column)
    for row in results.rows:
        table.add_row(row.metric, row.townhall, row.casbin, row.ratio, row.goal)
    console.print(table)
    return results


# What measures in process on the generated directory at `url`: fills the results and
# answers the snapshot that the HTTP part asks about.
InProcess = Callable[[str, random.Random, Results, Path], PolicySnapshot]


def measure_on_a_directory(
    *,
    scale: Scale,
    seed: int,
    status: str,
    in_process: InProcess,
    http_seconds: float,
    clients: int,
    workers: int,
    load_generator: str,
    offered_rate: float,
) -> Results:
    """Generate a directory at `scale` in a throwaway SQLite file, measure `in_process` on
    it, then the service over HTTP; the full bench and the decisions-only one share this."""
    # As the service runs: refusals are logged at info, filtered out at warning.
    configure_logging(service="policy-bench", json=True, level="WARNING")
    rng = random.Random(seed)
    results = Results()
    with tempfile.TemporaryDirectory(prefix="townhall-policy-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'policy.db'}"
        started = time.perf_counter()
        written = generate(url, scale, rng, datetime.now(UTC))
        console.print(
            f"policy bench directory: {scale.users:,} users, {scale.spaces:,} spaces, "
            f"{written['space memberships']:,} space memberships, {written['grants']:,} grants, "
            f"{written['memberships']:,} group memberships "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        with console.status(status):
            snapshot = in_process(url, rng, results, workdir)
        over_http(
            url,
            workdir,
            snapshot,
            rng,
            results,
            seconds=http_seconds,
            clients=clients,
            workers=workers,
            load_generator=load_generator if wrk_available() else "httpx",
            offered_rate=offered_rate,
        )
    return results
