"""The operations endpoints and the documented API of the notifications service."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .policy_stub import PolicyStub


def test_health_readiness_and_metrics(client: TestClient, policy: PolicyStub) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "service": "notifications"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert (
        "townhall_worker" in client.get("/metrics").text
        or client.get("/metrics").status_code == 200
    )


def test_the_public_contract_is_in_the_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    for path in (
        "/v1/inbox",
        "/v1/inbox/{notification_id}/read",
        "/v1/inbox/read-all",
        "/v1/preferences",
        "/v1/webhooks",
        "/v1/webhooks/{webhook_id}",
        "/v1/webhooks/{webhook_id}/deliveries",
        "/v1/events",
        "/v1/dev/mail",
    ):
        assert path in paths, path
