"""Policy's decisions only, in process and over HTTP: `python -m bench policy --decisions-only`.

The same directory and HTTP measurements as `bench/policy_bench.py`, with the snapshot's
build time, memory and one grant change applied, without its other parts (the casbin
reference model, the first decision in a domain, who-can in process): at 100,000 users
pycasbin's first checks take hours, so this is the run at the company's full scale.
`python -m bench compare` runs this: the reference model is shared with the tests and
changes with them, and a tree older than the driver's may not run the driver's version of
it, while decisions are what the comparison is about.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from datetime import UTC, datetime

from rich.table import Table

from bench import policy_bench as full
from townhall_contracts.policy import Action, DecisionRequest
from townhall_platform.db import make_engine
from townhall_policy.decisions.service import decide
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.loader import load_policy_data


def in_process(url: str, rng: random.Random, results: full.Results) -> PolicySnapshot:
    """The snapshot the service would build (time, memory, a change applied), then warm
    decisions with their explanation on it."""
    engine = make_engine(url)
    gc.collect()
    resident_before = full._resident_mib()
    started = time.perf_counter()
    data = load_policy_data(engine, now=datetime.now(UTC))
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    snapshot = PolicySnapshot.build(data)
    build_seconds = time.perf_counter() - started
    del data
    gc.collect()
    resident = full._resident_mib() - resident_before
    gc.freeze()  # as the engine does after each reload
    snapshot, apply_seconds = full._apply_grant_changes(engine, snapshot, rng)
    engine.dispose()
    results.add(
        "snapshot: read tables + build; resident memory",
        f"{full._ms(read_seconds)} + {full._ms(build_seconds)}; {resident:,.0f} MiB",
        "",
        "",
        "",
    )
    results.add(
        f"apply one grant change (median / max of {len(apply_seconds)})",
        f"{full._ms(statistics.median(apply_seconds))} / {full._ms(max(apply_seconds))}",
        "",
        "",
        "≤ 20 ms",
    )
    triples = full._triples(rng, snapshot, 20_000)
    requests = [DecisionRequest(subject=s, action=Action(a), domain=d) for s, a, d in triples]
    for request in requests[:2000]:  # warm-up
        decide(snapshot, request, requested_by="bench")
    ours = full._time_each(requests, lambda r: decide(snapshot, r, requested_by="bench"))
    results.figures["policy.in_process.per_s"] = len(ours) / sum(ours)
    results.add(
        "decision, warm, with explanation (p50 / p99; decisions/s)",
        f"{full._us(full._pct(ours, 0.5))} / {full._us(full._pct(ours, 0.99))}; "
        f"{len(ours) / sum(ours):,.0f}/s",
        "",
        "",
        "p99 < 100 µs",
    )
    return snapshot


def run(
    *,
    scale: full.Scale,
    http_seconds: float,
    clients: int,
    workers: int,
    load_generator: str,
    offered_rate: float,
    seed: int = 2026,
) -> full.Results:
    """Generate the directory, measure decisions, print the table; return the results."""
    results = full.measure_on_a_directory(
        scale=scale,
        seed=seed,
        status="measuring decisions in process",
        in_process=lambda url, rng, results, _workdir: in_process(url, rng, results),
        http_seconds=http_seconds,
        clients=clients,
        workers=workers,
        load_generator=load_generator,
        offered_rate=offered_rate,
    )
    table = Table(title=f"policy decisions ({scale.users:,} users, {scale.memberships:,} members)")
    for column in ("metric", "townhall policy", "goal"):
        table.add_column(column)
    for row in results.rows:
        table.add_row(row.metric, row.townhall, row.goal)
    full.console.print(table)
    return results
