"""Publishing's PostgreSQL database cut while it serves: 503, one log line, connection kept.

The cut is real: PostgreSQL is told to refuse new connections to publishing's database
and every open one is terminated (`pg_terminate_backend`), as a failover or a restart
would. A client keeps one keep-alive connection to publishing throughout. (The same
behaviour on SQLite, a file that can no longer be opened, is tested against a real
server in `libs/platform/tests/test_database_errors.py`.)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import EVENTUALLY_SECONDS, POSTGRES_ADMIN_URL

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_system(
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
    start_system: Any,
) -> Iterator[Any]:
    state = tmp_path_factory.mktemp("database-cut")
    with start_system("postgresql", state, signing_key_file, token_issuer) as running:
        yield running


def _set_connections(database: str, *, allowed: bool) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                sql.Identifier(database), sql.SQL("true" if allowed else "false")
            )
        )
        if not allowed:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )


def _log_since(path: Path, offset: int) -> str:
    return path.read_bytes()[offset:].decode("utf-8", "replace")


def test_a_cut_database_answers_503_once_logged_and_the_connection_serves_on(
    pg_system: Any,
) -> None:
    publishing = pg_system.services["publishing"]
    database = publishing.env["TOWNHALL_PUBLISHING_DATABASE_URL"].rsplit("/", 1)[1]
    tag = uuid.uuid4().hex[:8]
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_connections=1))
    connections: set[Any] = set()

    def remember_connection(response: httpx.Response) -> None:
        # The socket this response came on: the test asserts it never changes.
        stream = response.extensions["network_stream"]
        connections.add(id(stream.get_extra_info("socket")))

    client = httpx.Client(
        base_url=publishing.url,
        headers={"Authorization": f"Bearer {pg_system.token('alice')}"},
        transport=transport,
        timeout=30.0,
        event_hooks={"response": [remember_connection]},
    )
    created = client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": f"Avant {tag}", "body": "x"},
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    offset = publishing.log_path.stat().st_size

    _set_connections(database, allowed=False)
    try:
        refusals = [
            client.get(f"/v1/posts/{post_id}"),
            client.post(
                "/v1/posts",
                json={
                    "space_id": "engineering",
                    "kind": "social",
                    "title": f"Pendant {tag}",
                    "body": "x",
                },
            ),
            client.get("/v1/feed"),
        ]
        for refused in refusals:
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["type"].endswith("/dependency-unavailable")
        # The same keep-alive connection serves the next request.
        assert client.get("/healthz").status_code == 200
        assert len(connections) == 1
    finally:
        _set_connections(database, allowed=True)

    logged = _log_since(publishing.log_path, offset)
    assert logged.count("database_unavailable") == len(refusals), logged[-4000:]
    assert "Exception in ASGI application" not in logged
    assert "unhandled_error" not in logged

    # The database is back: the same connection reads and writes again.
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    answer = client.get(f"/v1/posts/{post_id}")
    while answer.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = client.get(f"/v1/posts/{post_id}")
    assert answer.status_code == 200, (
        f"publishing did not read again within {EVENTUALLY_SECONDS:.0f} s"
    )
    after = client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": f"Après {tag}", "body": "x"},
    )
    assert after.status_code == 201, after.text
    assert len(connections) == 1
    client.close()
