"""The event bus: publish → searchable through NATS JetStream, and its cost on creating a post.

`uv run python -m bench.bus_bench [--samples 200]` starts a real `nats-server -js` and policy,
publishing and search as processes on free loopback ports (embedded SQLite, a throwaway
state directory, the demo data), then, one request after another:

- publish → searchable: a social post created, then searched for until it is found (search's
  indexer reads it from the bus: relay woken by the commit, durable consumer, index commit);
- creating a post with the relay on, then the same with publishing restarted with the relay
  off (`RELAY_ENABLED=false`): the difference is what the bus adds to the request (its
  domain event in the outbox, the wake-up of the relay; the publishing itself is off the
  request path).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from townhall.launcher import ServiceSpec, Supervisor, run_step, service_environment
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import free_port

from .publishing_bench import _freshness

console = Console()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _creates(url: str, token: str, count: int) -> list[float]:
    samples = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=10) as http:
        for number in range(count):
            started = time.perf_counter()
            http.post(
                f"{url}/v1/posts",
                headers=headers,
                json={
                    "space_id": "engineering",
                    "kind": "social",
                    "title": f"Bench {number}",
                    "body": "Une note @bob.",
                },
            ).raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(samples: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="townhall-bench-bus-") as tmp, ExitStack() as stack:
        state = Path(tmp)
        nats = stack.enter_context(NatsServer(state / "nats"))
        specs = {n: ServiceSpec(n, free_port()) for n in ("policy", "publishing", "search")}
        urls = {name: spec.url for name, spec in specs.items()}
        saved = dict(os.environ)
        stack.callback(lambda: (os.environ.clear(), os.environ.update(saved)))
        for spec in specs.values():
            os.environ[spec.env_prefix + "PORT"] = str(spec.port)
            os.environ[spec.env_prefix + "NATS_URL"] = nats.url
            os.environ[spec.env_prefix + "LOG_LEVEL"] = "WARNING"
            # A benchmark's load would meet the per-user rate limits.
            os.environ[spec.env_prefix + "RATE_LIMITS_ENABLED"] = "false"
            for name, url in urls.items():
                os.environ[spec.env_prefix + f"{name.upper()}_URL"] = url
        key = ensure_signing_key(state / "keys" / "dev-signing-key.pem")
        supervisor = Supervisor(state)
        stack.callback(supervisor.stop)
        for spec in specs.values():
            env = service_environment(spec, state)
            run_step(spec, "migrate", env)
            if spec.name != "search":
                run_step(spec, "seed", env)
        for spec in specs.values():
            supervisor.start(spec)
        for spec in specs.values():
            supervisor.wait_ready(spec, timeout=120)
        issuer = TokenIssuer(
            key,
            issuer="townhall-dev",
            user_audience="townhall",
            service_audience="townhall-internal",
        )
        tokens = {user: issuer.user_token(user) for user in ("alice", "bob")}
        # The seeded demo content reaches the index first; warm both paths up.
        _freshness(urls, tokens, 5)
        results = {"publish → searchable": _freshness(urls, tokens, samples)}
        _creates(urls["publishing"], tokens["alice"], 20)
        results["create a post, relay on"] = _creates(urls["publishing"], tokens["alice"], samples)
        publishing = supervisor.processes.pop("publishing")
        publishing.terminate()
        publishing.wait(30)
        os.environ[specs["publishing"].env_prefix + "RELAY_ENABLED"] = "false"
        supervisor.start(specs["publishing"])
        supervisor.wait_ready(specs["publishing"], timeout=120)
        _creates(urls["publishing"], tokens["alice"], 20)
        results["create a post, relay off"] = _creates(urls["publishing"], tokens["alice"], samples)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    results = run(args.samples)
    table = Table(title=f"The event bus ({args.samples} samples each, one at a time)")
    for column in ("measure", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(column)
    for name, samples in results.items():
        table.add_row(name, *(f"{_percentile(samples, q):.1f}" for q in (50, 95, 99)))
    console.print(table)
    on = _percentile(results["create a post, relay on"], 95)
    off = _percentile(results["create a post, relay off"], 95)
    console.print(f"the bus's cost on creating a post (p95, on - off): {on - off:.1f} ms")


if __name__ == "__main__":
    main()
