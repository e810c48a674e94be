"""The cluster going away under a running search instance: every query answers 503
problem+json (the index is a dependency), never 500. Found by the mixed-load benchmark,
where an overloaded cluster's read timeouts came out as 500s."""

from __future__ import annotations

import uuid

import httpx
from fastapi.testclient import TestClient
from osmem_server import OsmemServer

from townhall_search.app import create_app

from ..conftest import wait_for_first_index_check


def test_queries_answer_503_when_the_cluster_stops_answering(
    search_settings, policy, as_user, events, as_service
) -> None:
    cluster = OsmemServer.start(japanese=False)
    settings = search_settings.model_copy(
        update={
            "backend": "opensearch",
            "opensearch_url": cluster.url,
            "opensearch_index": f"down-{uuid.uuid4().hex[:10]}",
        }
    )
    app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            wait_for_first_index_check(app)
            before = client.get("/v1/search", params={"q": "x"}, headers=as_user("david"))
            assert before.status_code == 200, before.text
            cluster.close()

            answers = [
                client.get("/v1/search", params={"q": "x"}, headers=as_user("david")),
                client.get("/v1/search/suggestions", params={"q": "com"}, headers=as_user("david")),
                client.post(
                    "/internal/v1/index/bulk",
                    json=events.batch(events.upsert("p1")).model_dump(mode="json"),
                    headers=as_service(),
                ),
            ]
    finally:
        cluster.close()

    for answer in answers:
        assert answer.status_code == 503, (answer.request.url, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == 503
