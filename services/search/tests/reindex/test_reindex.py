"""Rebuilds: from publishing's export, searches answering throughout, an atomic switch."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from townhall_contracts.search import DocumentExportPage, ExportedDocument
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_search.app import create_app

BULK = "/internal/v1/index/bulk"
REINDEX = "/internal/v1/index/reindex"
SEARCH = "/v1/search"


class PublishingStub:
    """Serves `GET /internal/v1/export/documents` from a list, optionally slowly."""

    def __init__(self, documents: list[ExportedDocument]) -> None:
        self.documents = documents
        self.gate = threading.Event()
        self.gate.set()
        self.pages = 0
        self.fail = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/internal/v1/export/documents"
        self.gate.wait(10)
        if self.fail:
            return httpx.Response(400, json={"title": "bad"})
        limit = int(request.url.params["limit"])
        after = request.url.params.get("after")
        start = int(after) if after else 0
        chunk = self.documents[start : start + limit]
        self.pages += 1
        end = start + len(chunk)
        page = DocumentExportPage(
            documents=chunk,
            total=len(self.documents),
            next_after=str(end) if end < len(self.documents) else None,
        )
        return httpx.Response(200, json=page.model_dump(mode="json"))


@pytest.fixture
def exported(events) -> list[ExportedDocument]:
    return [
        ExportedDocument(version=2, document=events.document(f"p{n}", title=f"Rapport {n}"))
        for n in range(7)
    ] + [ExportedDocument(version=3, document=events.document("gone", readers=[]))]


@pytest.fixture
def publishing(exported) -> PublishingStub:
    return PublishingStub(exported)


@pytest.fixture
def app_client(search_settings, policy, publishing) -> Iterator[TestClient]:
    search_settings.reindex_page_size = 3
    app = create_app(
        search_settings,
        policy_transport=httpx.MockTransport(policy.handle),
        publishing_transport=httpx.MockTransport(publishing.handle),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _wait(client: TestClient, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    status = client.get(REINDEX, headers=headers).json()
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.02)
        status = client.get(REINDEX, headers=headers).json()
    return status


def test_reindex_rebuilds_from_publishing_and_switches(
    app_client, events, as_service, as_user, publishing
) -> None:
    stale = events.batch(events.upsert("orphan", title="Ancien document"))
    app_client.post(BULK, json=stale.model_dump(mode="json"), headers=as_service())
    assert app_client.get(REINDEX, headers=as_service()).json()["state"] == "idle"

    publishing.gate.clear()
    started = app_client.post(REINDEX, headers=as_service())
    assert started.status_code == 202
    assert started.json()["state"] == "running"
    # While the rebuild waits on publishing, searches answer from the old index...
    body = app_client.get(SEARCH, headers=as_user("david")).json()
    assert [hit["id"] for hit in body["hits"]] == ["orphan"]
    # ...and a second rebuild is refused.
    conflict = app_client.post(REINDEX, headers=as_service())
    assert conflict.status_code == 409
    assert conflict.headers["content-type"].startswith("application/problem+json")
    publishing.gate.set()

    status = _wait(app_client, as_service())
    assert status["state"] == "succeeded", status
    assert (status["processed"], status["total"]) == (8, 8)
    assert publishing.pages == 3
    body = app_client.get(SEARCH, params={"limit": 50}, headers=as_user("david")).json()
    assert sorted(hit["id"] for hit in body["hits"]) == [f"p{n}" for n in range(7)]


def test_events_during_a_reindex_are_kept(
    app_client, events, as_service, as_user, publishing
) -> None:
    publishing.gate.clear()
    app_client.post(REINDEX, headers=as_service())
    # Publishing changed p1 after exporting it (version 2): the event is version 4.
    newer = events.batch(events.upsert("p1", version=4, title="Rapport corrigé"))
    app_client.post(BULK, json=newer.model_dump(mode="json"), headers=as_service())
    publishing.gate.set()
    assert _wait(app_client, as_service())["state"] == "succeeded"

    body = app_client.get(SEARCH, params={"q": "corrigé"}, headers=as_user("david")).json()
    assert [hit["id"] for hit in body["hits"]] == ["p1"]


def test_failed_reindex_keeps_the_live_index(
    app_client, events, as_service, as_user, publishing
) -> None:
    live = events.batch(events.upsert("live", title="Toujours là"))
    app_client.post(BULK, json=live.model_dump(mode="json"), headers=as_service())
    publishing.fail = True

    app_client.post(REINDEX, headers=as_service())
    status = _wait(app_client, as_service())

    assert status["state"] == "failed"
    assert status["error"]
    body = app_client.get(SEARCH, headers=as_user("david")).json()
    assert [hit["id"] for hit in body["hits"]] == ["live"]
    # A new attempt may start after a failure.
    publishing.fail = False
    assert app_client.post(REINDEX, headers=as_service()).status_code == 202
    assert _wait(app_client, as_service())["state"] == "succeeded"


def test_reindex_is_for_services_only(app_client, as_user) -> None:
    assert app_client.post(REINDEX, headers=as_user("paul")).status_code == 403
    assert app_client.get(REINDEX).status_code == 401


def test_the_switch_survives_a_restart(
    search_settings, policy, publishing, as_service, as_user
) -> None:
    def app() -> TestClient:
        return TestClient(
            create_app(
                search_settings,
                policy_transport=httpx.MockTransport(policy.handle),
                publishing_transport=httpx.MockTransport(publishing.handle),
            )
        )

    with app() as client:
        client.post(REINDEX, headers=as_service())
        assert _wait(client, as_service())["state"] == "succeeded"
    with app() as client:
        body = client.get(SEARCH, params={"limit": 50}, headers=as_user("david")).json()
    assert body["total"] == 7
    assert (search_settings.index_dir / "CURRENT").read_text().strip() == "gen-000002"
    assert not (search_settings.index_dir / "gen-000001").exists()
