"""Two real policy processes on one database agree after a change, without a restart.

Runs on SQLite and on PostgreSQL (the production case): each process polls the revision
row, so a change made through one is seen by the other without any restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from townhall_platform.auth import TokenIssuer
from townhall_platform.db import make_engine, session_scope
from townhall_platform.testing import EVENTUALLY_SECONDS, STARTUP_WAIT_SECONDS, free_port
from townhall_policy.holdings.directory.models import Subject
from townhall_policy.holdings.grants.models import Grant

BULK_USERS = 2_500


def _spawn(database_url: str, signing_key_file: Path, log_path: Path) -> tuple[str, Any]:
    port = free_port()
    env = {
        **os.environ,
        "TOWNHALL_POLICY_ENVIRONMENT": "test",
        "TOWNHALL_POLICY_PORT": str(port),
        "TOWNHALL_POLICY_DATABASE_URL": database_url,
        "TOWNHALL_POLICY_SIGNING_KEY_FILE": str(signing_key_file),
        "TOWNHALL_POLICY_LOG_LEVEL": "WARNING",
    }
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from townhall_policy.cli import main; main()", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return f"http://127.0.0.1:{port}", process


def _wait_ready(url: str, process: Any, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(
                f"policy did not answer 200 on {url}/readyz within "
                f"{STARTUP_WAIT_SECONDS:.0f} s: {log_path.read_text()!r}"
            )
        time.sleep(0.1)


def _stop(process: Any) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def bulk_seeded_url(seeded_url: str) -> str:
    """The demo directory plus thousands of users and grants written in bulk.

    At this size each instance applies a change to its snapshot rather than reloading
    every row; the test asks it how it caught up.
    """
    long_ago = datetime.now(UTC) - timedelta(days=100)
    users = [f"bulk{i:05d}" for i in range(BULK_USERS)]
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
        for u in users
    ]
    grants = [
        {
            "id": f"bulk-{u}-{role}",
            "subject_id": u,
            "role": role,
            "domain": domain,
            "valid_from": long_ago,
            "valid_to": None,
            "granted_by": "paul",
            "granted_at": long_ago,
            "justification": "Bulk directory",
            "revoked_at": None,
            "revoked_by": None,
            "revocation_justification": None,
        }
        for u in users
        for role, domain in (("employee", "org"), ("member", "space:general"))
    ]
    engine = make_engine(seeded_url)
    try:
        with session_scope(engine) as session:
            session.execute(insert(Subject.__table__), subjects)  # type: ignore[attr-defined]
            session.execute(insert(Grant.__table__), grants)  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    return seeded_url


@pytest.fixture(scope="module")
def instances(
    bulk_seeded_url: str, signing_key_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    logs = tmp_path_factory.mktemp("instances")
    with ExitStack() as stack:
        started = []
        for name in ("a", "b"):  # started together: each takes seconds to import
            url, process = _spawn(bulk_seeded_url, signing_key_file, logs / f"{name}.log")
            stack.callback(_stop, process)
            started.append((url, process, logs / f"{name}.log"))
        for url, process, log_path in started:
            _wait_ready(url, process, log_path)
        yield started[0][0], started[1][0]


def _decide(url: str, headers: dict[str, str], subject: str, action: str, domain: str) -> Any:
    response = httpx.post(
        f"{url}/v1/decisions",
        json={"subject": subject, "action": action, "domain": domain},
        headers=headers,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _until(predicate: Any, started: float) -> None:
    """Poll `predicate` until true; fails when it did not hold in a generous while."""
    while not predicate():
        assert time.monotonic() - started < EVENTUALLY_SECONDS, (
            f"the instances did not agree within {EVENTUALLY_SECONDS:.0f} s"
        )
        time.sleep(0.02)


def test_two_processes_agree_without_a_restart(
    instances: tuple[str, str], token_issuer: TokenIssuer
) -> None:
    a, b = instances
    service = {"Authorization": f"Bearer {token_issuer.service_token('publishing')}"}
    paul = {"Authorization": f"Bearer {token_issuer.user_token('paul')}"}
    assert _decide(b, service, "hugo", "publish.official", "space:general")["allowed"] is False

    granted = httpx.post(
        f"{a}/v1/grants",
        json={
            "subject": "hugo",
            "role": "communicator",
            "domain": "org",
            "justification": "Covers for claire",
        },
        headers=paul,
        timeout=5,
    )
    started = time.monotonic()
    assert granted.status_code == 201, granted.text
    revision_a = httpx.get(f"{a}/v1/revision", headers=service).json()["policy_revision"]

    def b_allows() -> bool:
        answer = _decide(b, service, "hugo", "publish.official", "space:general")
        return bool(answer["allowed"]) and answer["policy_revision"] == revision_a

    _until(b_allows, started)
    # b caught up by applying the change to a copy of its snapshot, not by a full reload.
    details = httpx.get(f"{b}/v1/revision", headers=service).json()["details"]
    assert details["loaded_by"] == "applied changes"

    revoked = httpx.request(
        "DELETE",
        f"{b}/v1/grants/{granted.json()['id']}",
        json={"justification": "claire is back"},
        headers=paul,
        timeout=5,
    )
    started = time.monotonic()
    assert revoked.status_code == 200, revoked.text

    def a_refuses() -> bool:
        answer = _decide(a, service, "hugo", "publish.official", "space:general")
        return answer["allowed"] is False

    _until(a_refuses, started)
    revisions = {
        httpx.get(f"{url}/v1/revision", headers=service).json()["policy_revision"] for url in (a, b)
    }
    assert len(revisions) == 1

    # Both processes appended to one chain, which still verifies. (The bulk rows, written
    # without events, are what verify reports, and all it reports.)
    olivier = {"Authorization": f"Bearer {token_issuer.user_token('olivier')}"}
    report = httpx.get(f"{a}/v1/audit/verify", headers=olivier, timeout=30).json()
    assert [f for f in report["findings"] if f["kind"] != "table"] == []
    assert report["findings_total"] == BULK_USERS * 3  # a subject and two grants each
    assert all(f["problem"].endswith("inserted by hand") for f in report["findings"])
