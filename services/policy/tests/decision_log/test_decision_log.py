"""The decision log is written before a refusal or an official decision is answered.

Checked in the database itself, not through `GET /v1/audit/decisions` (which writes what
is queued first), and with the log's table taken away: the answer is then a 503, never
a decision the log does not hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from townhall_platform.db import make_engine
from townhall_policy.app import create_app
from townhall_policy.settings import PolicySettings

Headers = dict[str, str]


@pytest.fixture(scope="module")
def database(seeded_url: str) -> Iterator[Engine]:
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


def _logged(database: Engine, decision_ids: list[str]) -> set[str]:
    """Which of `decision_ids` the decision_log table holds."""
    with database.connect() as connection:
        rows = connection.execute(text("SELECT decision_id FROM decision_log"))
        return {row[0] for row in rows} & set(decision_ids)


def _decide(client: TestClient, headers: Headers, subject: str, action: str, domain: str) -> Any:
    return client.post(
        "/v1/decisions",
        json={"subject": subject, "action": action, "domain": domain},
        headers=headers,
    )


def test_refusals_and_official_decisions_are_in_the_log_when_answered(
    settings: PolicySettings, database: Engine, as_service: Headers
) -> None:
    with TestClient(create_app(settings)) as client:
        refused = _decide(client, as_service, "alice", "publish.official", "space:general")
        official = _decide(client, as_service, "claire", "post.official", "org")
        social = _decide(client, as_service, "alice", "comment", "space:cafe")
        batch = client.post(
            "/v1/decisions/batch",
            json={
                "decisions": [
                    {"subject": "david", "action": "approve.official", "domain": "org"},
                    {"subject": "bob", "action": "comment", "domain": "space:cafe"},
                ]
            },
            headers=as_service,
        )
        # Still running: nothing was flushed by a shutdown.
        ids = [r.json()["decision_id"] for r in (refused, official, social)]
        batch_ids = [d["decision_id"] for d in batch.json()["decisions"]]
        logged = _logged(database, ids + batch_ids)
    assert [r.json()["allowed"] for r in (refused, official, social)] == [False, True, True]
    assert logged == {ids[0], ids[1], batch_ids[0]}


def test_without_a_writable_log_a_refusal_is_a_503_and_an_allowed_social_decision_answers(
    settings: PolicySettings,
    database: Engine,
    as_service: Headers,
    as_user: Callable[[str], Headers],
) -> None:
    with TestClient(create_app(settings)) as client:
        with database.begin() as connection:
            connection.execute(text("ALTER TABLE decision_log RENAME TO decision_log_away"))
        try:
            refused = _decide(client, as_service, "alice", "publish.official", "space:general")
            official = _decide(client, as_service, "claire", "post.official", "org")
            # A refusal by policy's own endpoints is not answered either.
            grants = client.get("/v1/grants", headers=as_user("david"))
            social = _decide(client, as_service, "alice", "comment", "space:cafe")
        finally:
            with database.begin() as connection:
                connection.execute(text("ALTER TABLE decision_log_away RENAME TO decision_log"))
        again = _decide(client, as_service, "alice", "publish.official", "space:general")

    for response in (refused, official, grants):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/dependency-unavailable")
        assert "decision_id" not in response.json()
    assert social.status_code == 200
    assert social.json()["allowed"] is True
    assert again.status_code == 200
    assert again.json()["allowed"] is False
    assert _logged(database, [again.json()["decision_id"]]) == {again.json()["decision_id"]}
