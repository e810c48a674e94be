"""The app factory's cross-cutting behaviour, on a tiny app."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from townhall_platform.app import CurrentService, CurrentUser, create_app
from townhall_platform.auth import TokenIssuer
from townhall_platform.errors import Conflict
from townhall_platform.settings import ServiceSettings


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


router = APIRouter()


@router.post("/things")
def create_thing(thing: Thing, user: CurrentUser) -> dict[str, str]:
    if thing.name == "taken":
        raise Conflict("That name is taken.", name=thing.name)
    if thing.name == "boom":
        raise RuntimeError("kaboom-internal")
    return {"name": thing.name, "by": user.subject}


@router.get("/internal")
def internal(service: CurrentService) -> dict[str, str]:
    return {"service": service.subject}


@pytest.fixture
def client(signing_key_file: Path) -> TestClient:
    settings = ServiceSettings(
        environment="test",
        signing_key_file=signing_key_file,
        max_body_bytes=1000,
        readiness_cache_seconds=0,
    )
    ready = {"ok": True}
    app = create_app(
        name="demo", settings=settings, routers=[router], readiness={"db": lambda: ready["ok"]}
    )
    app.state.ready = ready
    return TestClient(app, raise_server_exceptions=False)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_errors_are_problem_json(client: TestClient, token_issuer: TokenIssuer) -> None:
    user = _auth(token_issuer.user_token("alice"))
    ok = client.post("/things", json={"name": "a"}, headers=user)
    assert ok.json() == {"name": "a", "by": "alice"}
    cases = [
        (client.post("/things", json={"name": "taken"}, headers=user), 409, "conflict"),
        (
            client.post("/things", json={"name": "a", "x": 1}, headers=user),
            422,
            "validation-failed",
        ),
        (
            client.post(
                "/things", content=b"{", headers={**user, "Content-Type": "application/json"}
            ),
            400,
            "malformed-body",
        ),
        (client.post("/things", json={"name": "a" * 2000}, headers=user), 413, "payload-too-large"),
        (client.post("/things", json={"name": "a"}), 401, "unauthenticated"),
        (client.get("/nowhere", headers=user), 404, "not-found"),
        (client.delete("/things", headers=user), 405, "method-not-allowed"),
        (client.post("/things", json={"name": "boom"}, headers=user), 500, "internal-error"),
        (client.get("/internal", headers=user), 403, "forbidden"),
    ]
    for response, status, slug in cases:
        assert response.status_code == status, (status, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == status
        assert body["type"].endswith("/" + slug)
    assert cases[0][0].json()["name"] == "taken"
    assert "kaboom-internal" not in cases[7][0].text  # no internals leak
    assert cases[4][0].headers["www-authenticate"] == "Bearer"


def test_streamed_body_over_the_limit_is_refused(
    client: TestClient, token_issuer: TokenIssuer
) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        yield b"a" * 5000
        yield b'"}'

    response = client.post(
        "/things",
        content=chunks(),
        headers={**_auth(token_issuer.user_token("alice")), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_service_token_reaches_internal_endpoints(
    client: TestClient, token_issuer: TokenIssuer
) -> None:
    response = client.get("/internal", headers=_auth(token_issuer.service_token("search")))
    assert response.json() == {"service": "service:search"}


def test_health_readiness_metrics_and_request_id(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "service": "demo"}
    assert client.get("/readyz").json()["checks"] == {"db": True}
    client.app.state.ready["ok"] = False  # type: ignore[attr-defined]
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.headers["content-type"] == "application/problem+json"
    client.get("/healthz")
    assert 'route="/healthz"' in client.get("/metrics").text
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
