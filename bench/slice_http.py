"""The walking slice over HTTP: decisions, post creation, search, publish-to-searchable.

Starts the three services as real processes on free loopback ports with a throwaway state
directory (SQLite, tantivy, demo data), then measures each call from one client thread.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import track
from rich.table import Table

from townhall.launcher import ServiceSpec, Supervisor, run_step, service_environment
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.testing import free_port

console = Console()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _measure(label: str, count: int, call: Callable[[int], None]) -> list[float]:
    samples = []
    for n in track(range(count), description=label, console=console, transient=True):
        started = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(*, requests: int) -> None:
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        state = Path(tmp)
        specs = [ServiceSpec(n, free_port()) for n in ("policy", "publishing", "search")]
        overrides = {f"TOWNHALL_{s.name.upper()}_PORT": str(s.port) for s in specs}
        # The load would meet the per-user rate limits.
        overrides |= {f"TOWNHALL_{s.name.upper()}_RATE_LIMITS_ENABLED": "false" for s in specs}
        urls = {f"{s.name.upper()}_URL": s.url for s in specs}
        os.environ.update(overrides)
        key = ensure_signing_key(state / "keys" / "dev-signing-key.pem")
        supervisor = Supervisor(state, log_dir=state / "logs")
        for spec in specs:
            env = service_environment(spec, state)
            for name, url in urls.items():
                env[spec.env_prefix + name] = url
            run_step(spec, "migrate", env)
            if spec.name != "search":
                run_step(spec, "seed", env)
        os.environ.update(
            {spec.env_prefix + name: url for spec in specs for name, url in urls.items()}
        )
        try:
            for spec in specs:
                supervisor.start(spec)
            for spec in specs:
                supervisor.wait_ready(spec)
            _benchmark(specs, key, requests)
        finally:
            supervisor.stop()


def _benchmark(specs: list[ServiceSpec], key: object, requests: int) -> None:
    issuer = TokenIssuer(
        key,  # type: ignore[arg-type]
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )
    urls = {s.name: s.url for s in specs}
    alice = {"Authorization": f"Bearer {issuer.user_token('alice')}"}
    bob = {"Authorization": f"Bearer {issuer.user_token('bob')}"}
    service = {"Authorization": f"Bearer {issuer.service_token('bench')}"}
    rows: list[tuple[str, list[float]]] = []
    with httpx.Client(timeout=10) as http:
        decision = {"subject": "alice", "action": "post.social", "domain": "space:engineering"}
        rows.append(
            (
                "policy: POST /v1/decisions",
                _measure(
                    "decisions",
                    requests,
                    lambda n: http.post(
                        f"{urls['policy']}/v1/decisions", json=decision, headers=service
                    ).raise_for_status(),
                ),
            )
        )
        rows.append(
            (
                "publishing: POST /v1/posts (social)",
                _measure(
                    "posts",
                    requests,
                    lambda n: http.post(
                        f"{urls['publishing']}/v1/posts",
                        headers=alice,
                        json={
                            "space_id": "engineering",
                            "kind": "social",
                            "title": f"Bench {n}",
                            "body": "Mesure de la sécurité et de la latence.",
                        },
                    ).raise_for_status(),
                ),
            )
        )
        queries = ["securite", "security release", '"télétravail"', "donnees", "onboarding"]
        rows.append(
            (
                "search: GET /v1/search",
                _measure(
                    "search",
                    requests,
                    lambda n: http.get(
                        f"{urls['search']}/v1/search",
                        headers=bob,
                        params={"q": queries[n % len(queries)]},
                    ).raise_for_status(),
                ),
            )
        )

        def publish_then_find(n: int) -> None:
            word = "zq" + uuid.uuid4().hex[:10]
            http.post(
                f"{urls['publishing']}/v1/posts",
                headers=alice,
                json={
                    "space_id": "engineering",
                    "kind": "social",
                    "title": word,
                    "body": "fraîcheur",
                },
            ).raise_for_status()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                found = http.get(f"{urls['search']}/v1/search", headers=bob, params={"q": word})
                if found.json()["total"] == 1:
                    return
                time.sleep(0.01)
            raise RuntimeError("post not searchable within 10 s")

        rows.append(
            (
                "publish → searchable (end to end)",
                _measure("freshness", max(20, requests // 10), publish_then_find),
            )
        )

    table = Table(title="Walking slice over HTTP (one client, loopback, SQLite + tantivy)")
    for column in ("measurement", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms"):
        table.add_column(column, justify="right" if column != "measurement" else "left")
    for label, samples in rows:
        table.add_row(
            label,
            str(len(samples)),
            f"{_percentile(samples, 0.50):.1f}",
            f"{_percentile(samples, 0.95):.1f}",
            f"{_percentile(samples, 0.99):.1f}",
            f"{statistics.fmean(samples):.1f}",
        )
    console.print(table)
