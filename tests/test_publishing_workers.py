"""Publishing with two worker processes on PostgreSQL, over HTTP; on SQLite, where one
publishing process serves, several refuse to start.

The kernel spreads the clients' connections over the workers; which worker answered is
not asserted."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from townhall_platform.auth import TokenIssuer

WORKERS = 2
WRITERS = 6
POSTS_EACH = 10


@pytest.fixture(scope="module")
def workers_system(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
    start_system: Any,
) -> Iterator[Any]:
    state = tmp_path_factory.mktemp(f"workers-{backend}")
    env = {
        "TOWNHALL_PUBLISHING_WORKERS": str(WORKERS),
        # Counters summed over the workers in /metrics (townhall_platform.exposition).
        "PROMETHEUS_MULTIPROC_DIR": str(state / "metrics"),
    }
    with start_system(
        backend, state, signing_key_file, token_issuer, publishing_env=env
    ) as running:
        yield running


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (uvicorn's workers), read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


# One publishing process serves SQLite: several are refused (the refusal test below).
@pytest.mark.postgresql_only
def test_posts_written_at_once_through_two_workers_are_all_kept_and_searchable(
    workers_system: Any,
) -> None:
    publishing = workers_system.services["publishing"]
    # uvicorn's supervisor, its workers and (multiprocessing's) resource tracker.
    assert len(_children(publishing.process.pid)) >= WORKERS

    tag = "zw" + uuid.uuid4().hex[:10]
    token = workers_system.token("alice")
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        for n in range(POSTS_EACH):
            # A connection per request: the workers take turns accepting them.
            response = httpx.post(
                f"{publishing.url}/v1/posts",
                json={
                    "space_id": "engineering",
                    "kind": "social",
                    "title": f"Sujet {tag} {number}-{n}",
                    "body": f"Texte {tag} {number}-{n}",
                },
                headers={"Authorization": f"Bearer {token}"},
                timeout=30.0,
            )
            with lock:
                answers.append(response)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert [a.status_code for a in answers] == [201] * (WRITERS * POSTS_EACH), [
        a.text for a in answers if a.status_code != 201
    ]
    ids = [a.json()["id"] for a in answers]
    assert len(set(ids)) == WRITERS * POSTS_EACH
    # Each reads back, whichever worker answers.
    reader = workers_system.as_user("publishing", "david")
    for post_id in ids:
        assert reader.get(f"/v1/posts/{post_id}").status_code == 200

    # The relays (one per worker, taking turns) delivered every post to search.
    def all_found(results: dict[str, Any]) -> bool:
        return results["total"] == len(ids)

    found = workers_system.wait_for_search("david", all_found, q=tag, limit=100)
    assert {hit["id"] for hit in found["hits"]} == set(ids)


def _healthz_count(url: str) -> float:
    # A connection per scrape, so that any worker may answer it.
    text = httpx.get(f"{url}/metrics", timeout=30.0).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "townhall_http_requests_total" and sample.labels["route"] == "/healthz"
    )


@pytest.mark.postgresql_only
def test_metrics_count_the_requests_of_every_worker(workers_system: Any) -> None:
    publishing = workers_system.services["publishing"]
    before = _healthz_count(publishing.url)
    requests = 40
    for _ in range(requests):
        assert httpx.get(f"{publishing.url}/healthz", timeout=30.0).status_code == 200

    # Whichever worker answers a scrape, it counts the requests all of them served.
    counts = {_healthz_count(publishing.url) for _ in range(10)}

    assert counts == {before + requests}


@pytest.mark.one_backend
def test_several_workers_on_sqlite_refuse_to_start(tmp_path: Path) -> None:
    env = os.environ | {
        "TOWNHALL_PUBLISHING_DATABASE_URL": f"sqlite:///{tmp_path / 'publishing.db'}",
        "TOWNHALL_PUBLISHING_WORKERS": str(WORKERS),
    }
    started = subprocess.run(
        [sys.executable, "-m", "townhall_publishing.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert started.returncode == 2, started.stdout + started.stderr
    assert "Several workers" in started.stdout
    assert "PostgreSQL" in started.stdout
