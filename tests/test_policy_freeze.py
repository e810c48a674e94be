"""A frozen policy process (SIGSTOP): publishing stays alive and refuses fast, then recovers.

Policy is stopped, not killed: its port still accepts connections and nothing answers,
the worst case for a caller without a deadline. Nothing here measures latency against a
tight margin: an answer that arrives while policy is still stopped arrived "before the
freeze ended", and the breaker's state is read from publishing's metrics.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import EVENTUALLY_SECONDS

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]

# Far longer than policy's deadline (a second): a caller still waiting this long is hung.
HUNG = 15.0


@pytest.fixture(scope="module")
def frozen_system(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
    start_system: Any,
) -> Iterator[Any]:
    state = tmp_path_factory.mktemp(f"freeze-{backend}")
    with start_system(backend, state, signing_key_file, token_issuer) as running:
        yield running


def _post(client: httpx.Client, title: str) -> httpx.Response:
    return client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": title, "body": "Texte"},
        timeout=HUNG,
    )


def _breaker_state(publishing_url: str) -> float:
    """Publishing's view of the policy breaker: 0 closed, 1 open, 2 half-open."""
    text = httpx.get(f"{publishing_url}/metrics", timeout=HUNG).text
    for line in text.splitlines():
        if line.startswith('townhall_dependency_breaker_state{dependency="policy"}'):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("publishing reports no breaker for policy")


def _refused_count(publishing_url: str) -> float:
    text = httpx.get(f"{publishing_url}/metrics", timeout=HUNG).text
    for line in text.splitlines():
        if line.startswith('townhall_dependency_refusals_total{dependency="policy"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_frozen_policy_leaves_publishing_alive_and_failing_closed_fast(
    frozen_system: Any,
) -> None:
    publishing = frozen_system.services["publishing"]
    policy = frozen_system.services["policy"]
    alice = frozen_system.as_user("publishing", "alice")
    assert _post(alice, "Avant le gel").status_code == 201

    os.kill(policy.process.pid, signal.SIGSTOP)
    try:
        # Several writers at once, as many as publishing has threads and more.
        answers: list[httpx.Response | Exception] = []
        lock = threading.Lock()

        def writer(n: int) -> None:
            client = httpx.Client(
                base_url=publishing.url,
                headers={"Authorization": f"Bearer {frozen_system.token('bob')}"},
            )
            try:
                outcome: httpx.Response | Exception = _post(client, f"Pendant le gel {n}")
            except httpx.HTTPError as exc:
                outcome = exc
            finally:
                client.close()
            with lock:
                answers.append(outcome)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        # Liveness does not depend on policy, even while every writer waits on it.
        health = httpx.get(f"{publishing.url}/healthz", timeout=HUNG)
        assert health.status_code == 200
        # Readiness says policy is missing (its answers are reused for a second, so the
        # first probe may still report the last one from before the freeze).
        ready = httpx.get(f"{publishing.url}/readyz", timeout=HUNG)
        waited = time.monotonic() + EVENTUALLY_SECONDS
        while ready.status_code == 200 and time.monotonic() < waited:
            time.sleep(0.2)
            ready = httpx.get(f"{publishing.url}/readyz", timeout=HUNG)
        assert ready.status_code == 503
        assert ready.json()["checks"]["policy"] is False
        for thread in threads:
            thread.join(HUNG * 2)

        # Every write was refused (not hung, not 500) while policy was still frozen.
        assert len(answers) == 8
        for outcome in answers:
            assert isinstance(outcome, httpx.Response), outcome
            assert outcome.status_code == 503, outcome.text
            assert outcome.headers["content-type"].startswith("application/problem+json")
            assert outcome.json()["type"].endswith("/dependency-unavailable")

        # A few more refusals, each waiting for policy's deadline, open the breaker.
        for _ in range(20):
            if _breaker_state(publishing.url) == 1.0:
                break
            assert _post(alice, "Encore pendant le gel").status_code == 503
        # The breaker is open: refusals no longer wait on the network at all.
        assert _breaker_state(publishing.url) == 1.0
        before = _refused_count(publishing.url)
        for n in range(50):
            refused = _post(alice, f"Refus {n}")
            assert refused.status_code == 503
        assert _refused_count(publishing.url) - before >= 50
        assert _breaker_state(publishing.url) == 1.0
    finally:
        os.kill(policy.process.pid, signal.SIGCONT)

    # After the freeze a half-open probe succeeds and writes go through again.
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    answer = _post(alice, "Après le gel")
    while answer.status_code != 201 and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = _post(alice, "Après le gel")
    assert answer.status_code == 201, (
        f"publishing did not recover within {EVENTUALLY_SECONDS:.0f} s of SIGCONT"
    )
    assert _breaker_state(publishing.url) == 0.0
