"""A lost or damaged index is noticed and rebuilt, with real processes (issue 14, faults).

Before: an emptied index directory or a garbage `CURRENT` gave `/readyz` 200 and zero
results for good, and a truncated segment made search exit at every start (while
`townhall-search reindex` needs it running). Now search checks its index against
publishing's outbox, says what is wrong in `/readyz` (503 problem+json) while it
rebuilds from publishing's export, and serves again with every result back.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall.launcher import service_command

pytestmark = pytest.mark.one_backend

PROBLEM = "application/problem+json"
# Checks again this often, so a test waits for a rebuild, not for a check.
CHECK_SECONDS = "0.5"


def _ids(results: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in results["hits"]]


def _published(system: Any, count: int) -> tuple[str, list[str]]:
    tag = "zq" + uuid.uuid4().hex[:10]
    posts = []
    for n in range(count):
        created = system.as_user("publishing", "alice").post(
            "/v1/posts",
            json={
                "space_id": "engineering",
                "kind": "social",
                "title": f"Note {n} {tag}",
                "body": tag,
            },
        )
        assert created.status_code == 201, created.text
        posts.append(str(created.json()["id"]))
    found = system.wait_for_search("bob", lambda r: set(posts) <= set(_ids(r)), q=tag, limit=50)
    assert set(posts) <= set(_ids(found)), "the posts never became searchable"
    return tag, posts


def _index_dir(system: Any) -> Path:
    return Path(system.services["search"].env["TOWNHALL_SEARCH_INDEX_DIR"])


def _live_generation(system: Any) -> Path:
    directory = _index_dir(system)
    return directory / (directory / "CURRENT").read_text().strip()


def _metric(system: Any, name: str) -> float:
    text = httpx.get(f"{system.services['search'].url}/metrics", timeout=5.0).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} is not in /metrics")


def _restart_search(system: Any, damage: Callable[[], None]) -> None:
    """Stop search, damage its index, start it and wait until it is ready."""
    search = system.services["search"]
    search.stop()
    damage()
    search.env["TOWNHALL_SEARCH_INDEX_CHECK_SECONDS"] = CHECK_SECONDS
    search.start()


def _spawn(service: Any) -> None:
    """Start a service without waiting for it to be ready."""
    with service.log_path.open("ab") as log:
        service.process = subprocess.Popen(
            [*service_command(service.spec.name), "serve"],
            env=service.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _readiness(service: Any, predicate: Callable[[httpx.Response], bool]) -> httpx.Response:
    """Poll /readyz until `predicate` holds (the process must stay up meanwhile)."""
    deadline = time.monotonic() + 120
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        assert service.process.poll() is None, service.log_path.read_text()[-3000:]
        try:
            last = httpx.get(f"{service.url}/readyz", timeout=2.0)
            if predicate(last):
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(
        f"/readyz never showed what was awaited within 120 s; last: "
        f"{last.status_code if last else None} {last.text if last else ''}"
    )


def test_an_emptied_index_directory_is_noticed_and_rebuilt(system: Any) -> None:
    tag, posts = _published(system, 3)

    def empty() -> None:
        for child in _index_dir(system).iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()

    _restart_search(system, empty)

    # Ready only once checked against publishing and rebuilt: every result is back.
    assert set(posts) <= set(_ids(system.search("bob", q=tag, limit=50)))
    assert _metric(system, "townhall_search_index_automatic_rebuilds") == 1
    log = system.services["search"].log_path.read_text()
    assert "acknowledged changes are missing" in log
    assert "reindex_progress" in log


def test_a_truncated_segment_does_not_stop_search_and_is_rebuilt(system: Any) -> None:
    tag, posts = _published(system, 3)

    def truncate() -> None:
        segment = max(
            (p for p in _live_generation(system).iterdir() if p.suffix == ".store"),
            key=lambda p: p.stat().st_size,
        )
        with segment.open("r+b") as handle:
            handle.truncate(segment.stat().st_size // 2)

    _restart_search(system, truncate)

    assert set(posts) <= set(_ids(system.search("bob", q=tag, limit=50)))
    assert _metric(system, "townhall_search_index_automatic_rebuilds") >= 1
    assert _metric(system, "townhall_search_reindex_processed_documents") >= len(posts)
    assert "cannot be opened" in system.services["search"].log_path.read_text()


def test_a_garbage_current_pointer_says_why_until_publishing_can_rebuild_it(
    system: Any,
) -> None:
    tag, posts = _published(system, 3)
    search, publishing = system.services["search"], system.services["publishing"]
    search.stop()
    publishing.stop()
    (_index_dir(system) / "CURRENT").write_bytes(b"\x00garbage\xff\n")
    search.env["TOWNHALL_SEARCH_INDEX_CHECK_SECONDS"] = CHECK_SECONDS
    _spawn(search)

    # Publishing is down: the rebuild cannot run, and search says so instead of serving.
    refused = _readiness(search, lambda r: "rebuild failed" in r.text)
    assert refused.status_code == 503
    assert refused.headers["content-type"].startswith(PROBLEM)
    reason = refused.json()["reasons"]["index"]
    assert "cannot be opened: CURRENT" in reason
    assert _metric(system, "townhall_search_index_problem") == 1

    publishing.start()
    ready = _readiness(search, lambda r: r.status_code == 200)

    assert ready.json()["status"] == "ready"
    assert set(posts) <= set(_ids(system.search("bob", q=tag, limit=50)))
    assert _metric(system, "townhall_search_index_problem") == 0
    assert _metric(system, "townhall_search_index_verified") == 1
