"""Background workers under faults, with the services as real processes.

A full disk is a file-size limit (`RLIMIT_FSIZE`) on the running publishing process and
its log file grown to that limit: every log line it writes fails (EFBIG), while its
database, well under the limit, keeps taking writes.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall_platform.auth import TokenIssuer

# Publishing counts itself not ready once its oldest undelivered event is this old.
MAX_LAG_SECONDS = 2
POSTS = 30
# The log file's size, and the limit: far above what the test's databases grow to.
FULL_AT = 1 << 30
# Bounds a hung test only; each wait ends as soon as what it waits for is seen.
EVENTUALLY = 60.0


@pytest.fixture(scope="module")
def faulty_system(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
    start_system: Any,
) -> Iterator[Any]:
    state = tmp_path_factory.mktemp(f"faults-{backend}")
    env = {"TOWNHALL_PUBLISHING_RELAY_MAX_LAG_SECONDS": str(MAX_LAG_SECONDS)}
    with start_system(
        backend, state, signing_key_file, token_issuer, publishing_env=env
    ) as running:
        yield running


def _wait_for(what: str, probe: Callable[[], Any]) -> Any:
    """Call `probe` until it answers something truthy; fail saying what never came."""
    deadline = time.monotonic() + EVENTUALLY
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def _metric(url: str, line_prefix: str) -> float | None:
    for line in httpx.get(f"{url}/metrics", timeout=5.0).text.splitlines():
        if line.startswith(line_prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def _fill_disk(process: Any) -> None:
    """Every write past `FULL_AT` bytes now fails, and the log file is that long."""
    os.truncate(process.log_path, FULL_AT)  # sparse: no disk space used
    resource.prlimit(process.process.pid, resource.RLIMIT_FSIZE, (FULL_AT, resource.RLIM_INFINITY))


def _free_disk(process: Any) -> None:
    limits = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    resource.prlimit(process.process.pid, resource.RLIMIT_FSIZE, limits)


def test_the_relay_outlives_a_full_disk_and_every_post_becomes_searchable(
    faulty_system: Any,
) -> None:
    publishing = faulty_system.services["publishing"]
    bus = faulty_system.nats
    tag = "zf" + uuid.uuid4().hex[:10]
    alice = faulty_system.as_user("publishing", "alice")

    bus.stop()
    _fill_disk(publishing)
    try:
        ids = []
        for n in range(POSTS):
            response = alice.post(
                "/v1/posts",
                json={
                    "space_id": "engineering",
                    "kind": "social",
                    "title": f"Plein {tag} {n}",
                    "body": f"Disque {tag} {n}",
                },
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])

        # The relay fails to deliver (the bus is down) and to log that it failed (the
        # disk is full): it says so, and what waits, instead of dying quietly.
        pending = _wait_for(
            "the pending events in /metrics",
            lambda: (
                (_metric(publishing.url, "townhall_publishing_outbox_pending_events") or 0) >= POSTS
            ),
        )
        assert pending
        not_ready = _wait_for(
            "/readyz to say the relay is behind",
            lambda: (
                (r := httpx.get(f"{publishing.url}/readyz", timeout=5.0)).status_code == 503 and r
            ),
        )
        assert not_ready.headers["content-type"] == "application/problem+json"
        assert "outbox-relay" in not_ready.json()["reasons"]["workers"]
        assert httpx.get(f"{publishing.url}/healthz", timeout=5.0).status_code == 200
        assert _metric(publishing.url, 'townhall_worker_up{worker="outbox-relay"}') == 1.0
        assert (_metric(publishing.url, "townhall_log_lines_dropped") or 0) > 0
        assert os.path.getsize(publishing.log_path) == FULL_AT
    finally:
        _free_disk(publishing)
        bus.start()

    found = faulty_system.wait_for_search(
        "alice", lambda r: r["total"] == POSTS, timeout=EVENTUALLY, q=tag, limit=50
    )
    assert sorted(hit["id"] for hit in found["hits"]) == sorted(ids)
    _wait_for(
        "/readyz to be ready again",
        lambda: httpx.get(f"{publishing.url}/readyz", timeout=5.0).status_code == 200,
    )
    assert _metric(publishing.url, "townhall_publishing_outbox_pending_events") == 0


REFUSALS = 192
OFFICIAL = 64


def test_every_answered_refusal_and_official_decision_outlives_a_kill_of_policy(
    faulty_system: Any,
) -> None:
    policy = faulty_system.services["policy"]
    service = httpx.Client(
        base_url=policy.url,
        headers={"Authorization": f"Bearer {faulty_system.issuer.service_token('publishing')}"},
        timeout=30.0,
    )
    # Refused (david is no communicator) and allowed official decisions (claire is).
    asks = [{"subject": "david", "action": "post.official", "domain": "org"}] * REFUSALS + [
        {"subject": "claire", "action": "post.official", "domain": "org"}
    ] * OFFICIAL
    answered: list[str] = []
    lock = threading.Lock()

    def ask(chunk: list[dict[str, str]]) -> None:
        for body in chunk:
            response = service.post("/v1/decisions", json=body)
            assert response.status_code == 200, response.text
            with lock:
                answered.append(response.json()["decision_id"])

    def ask_in_batches(chunk: list[dict[str, str]]) -> None:
        for start in range(0, len(chunk), 8):
            response = service.post(
                "/v1/decisions/batch", json={"decisions": chunk[start : start + 8]}
            )
            assert response.status_code == 200, response.text
            with lock:
                answered.extend(d["decision_id"] for d in response.json()["decisions"])

    # A refusal policy raises on its own endpoints (a 403 naming its decision) counts too.
    david = faulty_system.as_user("policy", "david")
    refused = [david.get("/v1/grants") for _ in range(8)]
    assert {r.status_code for r in refused} == {403}
    answered.extend(r.json()["decision_id"] for r in refused)

    chunks = [asks[n::4] for n in range(4)]
    threads = [
        threading.Thread(target=ask, args=(chunks[0],)),
        threading.Thread(target=ask, args=(chunks[1],)),
    ]
    threads += [
        threading.Thread(target=ask_in_batches, args=(chunks[2],)),
        threading.Thread(target=ask_in_batches, args=(chunks[3],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Right after the last answer: nothing queued in memory gets a chance to be written.
    policy.process.send_signal(signal.SIGKILL)
    policy.process.wait()
    service.close()
    policy.start()

    assert len(answered) == REFUSALS + OFFICIAL + 8
    olivier = faulty_system.as_user("policy", "olivier")
    logged: set[str] = set()
    offset = 0
    while True:
        page = olivier.get("/v1/audit/decisions", params={"limit": 10_000, "offset": offset})
        assert page.status_code == 200, page.text
        decisions = page.json()["decisions"]
        logged.update(d["decision_id"] for d in decisions)
        if len(decisions) < 10_000:
            break
        offset += len(decisions)
    missing = set(answered) - logged
    assert not missing, f"{len(missing)} answered decisions are not in the log"
