"""The app's operations surface: health, readiness, metrics, OpenAPI, settings."""

from __future__ import annotations

import httpx
import pytest

from townhall_publishing.settings import PublishingSettings

pytestmark = pytest.mark.anyio


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert health.json() == {"status": "ok", "service": "publishing"}
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "policy": True, "workers": True}


async def test_not_ready_when_the_database_does_not_answer(
    make_app, settings: PublishingSettings, serve
) -> None:
    unreachable = settings.model_copy(
        update={"database_url": "postgresql://nobody@127.0.0.1:9/none"}
    )
    async with serve(make_app(unreachable)) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"] == {"database": False, "policy": True, "workers": True}


async def test_not_ready_while_policy_does_not_answer(client: httpx.AsyncClient, policy) -> None:
    policy.available = False
    response = await client.get("/readyz")
    policy.available = True

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "policy": False, "workers": True}


async def test_metrics_expose_the_relay(client: httpx.AsyncClient) -> None:
    metrics = (await client.get("/metrics")).text

    for name in (
        "townhall_publishing_outbox_delivered_total",
        "townhall_publishing_outbox_delivery_failures_total",
        "townhall_publishing_outbox_pending_events",
        "townhall_publishing_outbox_lag_seconds",
        "townhall_publishing_outbox_last_delivered_event_id",
        "townhall_http_requests_total",
    ):
        assert name in metrics


async def test_openapi_documents_the_contract_and_its_errors(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/v1/spaces"])
    assert "get" in paths["/v1/spaces/{space_id}"]
    assert "post" in paths["/v1/posts"]
    assert "get" in paths["/v1/posts/{post_id}"]
    assert "post" in paths["/v1/posts/{post_id}/comments"]
    assert "get" in paths["/v1/feed"]
    create = paths["/v1/posts"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "413", "422", "503"} <= set(create)
    problem = create["403"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    components = schema["components"]["schemas"]
    for body in ("PostCreate", "SpaceCreate", "CommentCreate"):
        assert components[body]["additionalProperties"] is False
    assert set(components["PostCreate"]["required"]) == {"space_id", "kind", "title", "body"}


def test_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = PublishingSettings()
    assert defaults.port == 8102
    assert defaults.database_url == "sqlite:///var/publishing.db"
    assert defaults.relay_enabled
    # A commit wakes the relay: the interval is only a safety poll.
    assert defaults.relay_poll_interval_seconds == 2.0
    assert defaults.nats_url == "nats://127.0.0.1:8105"

    monkeypatch.setenv("TOWNHALL_PUBLISHING_PORT", "9999")
    monkeypatch.setenv("TOWNHALL_PUBLISHING_RELAY_ENABLED", "false")
    configured = PublishingSettings()
    assert configured.port == 9999
    assert not configured.relay_enabled


def test_placeholder_secrets_are_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="jwks_url"):
        PublishingSettings(environment="production")
