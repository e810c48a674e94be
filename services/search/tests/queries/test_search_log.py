"""The search log: a first page of a non-empty query is reported to publishing with its
words and how many results, and the opening of a result with the search's id; never the
user. On both engines, through the API, with a publishing that records what it is told."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from townhall_search.app import create_app
from townhall_search.settings import SearchSettings

from ..conftest import PolicyStub, wait_for_first_index_check

BULK = "/internal/v1/index/bulk"
SEARCH = "/v1/search"


class Publishing:
    """Publishing's search endpoints as a recorder; every other call is answered 503."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.status = 204

    def handle(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith("/internal/v1/searches"):
            return httpx.Response(503)
        body = json.loads(request.content) if request.content else {}
        self.calls.append((request.url.path, body, request.headers.get("authorization", "")))
        return httpx.Response(self.status)

    def wait_for(self, count: int) -> list[tuple[str, dict[str, Any], str]]:
        deadline = time.monotonic() + 10
        while len(self.calls) < count:
            assert time.monotonic() < deadline, f"publishing was not told {count} thing(s)"
            time.sleep(0.01)
        return self.calls


@pytest.fixture(params=["tantivy", "opensearch"])
def logged(
    request: pytest.FixtureRequest, search_settings: SearchSettings, policy: PolicyStub
) -> Iterator[tuple[TestClient, Publishing]]:
    settings = search_settings.model_copy(update={"record_queries": True})
    if request.param == "opensearch":
        osmem = request.getfixturevalue("osmem")
        settings = settings.model_copy(
            update={
                "backend": "opensearch",
                "opensearch_url": osmem.url,
                "opensearch_index": f"log-{uuid.uuid4().hex[:10]}",
            }
        )
    publishing = Publishing()
    app = create_app(
        settings,
        policy_transport=httpx.MockTransport(policy.handle),
        publishing_transport=httpx.MockTransport(publishing.handle),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        wait_for_first_index_check(app)
        yield client, publishing


def test_searches_and_opened_results_are_reported_without_the_user(
    logged: tuple[TestClient, Publishing], events: Any, as_user: Any, as_service: Any
) -> None:
    client, publishing = logged
    batch = events.batch(
        *(events.upsert(f"post-{n}", title=f"Cantine {n}", body="Menu.") for n in range(3))
    )
    assert client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service())

    found = client.get(SEARCH, params={"q": "Cantine", "limit": 2}, headers=as_user("david"))
    missed = client.get(SEARCH, params={"q": "piscine"}, headers=as_user("david"))
    later = client.get(
        SEARCH,
        params={"q": "Cantine", "limit": 2, "cursor": found.json()["next_cursor"]},
        headers=as_user("david"),
    )
    listed = client.get(SEARCH, headers=as_user("david"))
    assert [r.status_code for r in (found, missed, later, listed)] == [200] * 4
    search_id = found.json()["search_id"]
    assert search_id and missed.json()["search_id"] not in {None, search_id}
    # A later page and an empty query (the newest documents) are no searches of their own.
    assert later.json()["search_id"] is None and listed.json()["search_id"] is None

    opened = client.post(f"/v1/searches/{search_id}/opened", headers=as_user("david"))
    assert opened.status_code == 202, opened.text

    calls = publishing.wait_for(3)
    assert [(path, body.get("query"), body.get("results")) for path, body, _ in calls] == [
        ("/internal/v1/searches", "Cantine", 3),
        ("/internal/v1/searches", "piscine", 0),
        (f"/internal/v1/searches/{search_id}/opened", None, None),
    ]
    for _path, body, authorization in calls:
        assert set(body) <= {"search_id", "query", "results", "at"}
        assert "david" not in json.dumps(body)
        # Search's own service token, not the user's.
        assert authorization != as_user("david")["Authorization"]


def test_an_opened_result_needs_a_user_and_a_well_formed_id(
    logged: tuple[TestClient, Publishing], as_user: Any
) -> None:
    client, publishing = logged
    assert client.post("/v1/searches/abcdefgh12/opened").status_code == 401
    bad = client.post("/v1/searches/not%20an%20id/opened", headers=as_user("david"))
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert publishing.calls == []


def test_a_publishing_that_fails_never_fails_a_search(
    logged: tuple[TestClient, Publishing], as_user: Any
) -> None:
    client, publishing = logged
    publishing.status = 500
    answer = client.get(SEARCH, params={"q": "cantine"}, headers=as_user("david"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["search_id"]
    assert publishing.wait_for(1)[0][0] == "/internal/v1/searches"
