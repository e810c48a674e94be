"""Bad input gets a precise 4xx problem+json, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from townhall_platform.auth import TokenIssuer

Headers = dict[str, str]
PROBLEM = "application/problem+json"
DECISION = {"subject": "alice", "action": "read", "domain": "org"}


def _problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].endswith(f"/{slug}")
    return body


def test_malformed_json_is_400(client: TestClient, as_service: Headers) -> None:
    response = client.post(
        "/v1/decisions",
        content=b'{"subject": "alice", ',
        headers={**as_service, "Content-Type": "application/json"},
    )

    _problem(response, 400, "malformed-body")


def test_unknown_fields_are_422(client: TestClient, as_service: Headers) -> None:
    response = client.post("/v1/decisions", json={**DECISION, "urgent": True}, headers=as_service)

    body = _problem(response, 422, "validation-failed")
    assert any("urgent" in ".".join(e["location"]) for e in body["errors"])


@pytest.mark.parametrize(
    "change",
    [{"action": "fly"}, {"domain": "planet:mars"}, {"subject": ""}, {"subject": "x" * 129}],
)
def test_invalid_decision_requests_are_422(
    client: TestClient, as_service: Headers, change: dict[str, str]
) -> None:
    response = client.post("/v1/decisions", json={**DECISION, **change}, headers=as_service)

    _problem(response, 422, "validation-failed")


def test_an_empty_batch_is_422(client: TestClient, as_service: Headers) -> None:
    response = client.post("/v1/decisions/batch", json={"decisions": []}, headers=as_service)

    _problem(response, 422, "validation-failed")


def test_an_oversized_body_is_413(client: TestClient, as_service: Headers, settings: Any) -> None:
    padding = "x" * (settings.max_body_bytes + 1)

    response = client.post(
        "/v1/decisions", json={**DECISION, "padding": padding}, headers=as_service
    )

    _problem(response, 413, "payload-too-large")


def test_a_missing_token_is_401(client: TestClient) -> None:
    response = client.post("/v1/decisions", json=DECISION)

    _problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_forged_token_is_401(client: TestClient) -> None:
    forger = TokenIssuer(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )

    response = client.post(
        "/v1/decisions",
        json=DECISION,
        headers={"Authorization": f"Bearer {forger.service_token('publishing')}"},
    )

    body = _problem(response, 401, "unauthenticated")
    assert "signature" in body["detail"]


def test_an_expired_token_is_401(client: TestClient, token_issuer: TokenIssuer) -> None:
    expired = token_issuer.service_token("publishing", ttl_seconds=-60)

    response = client.get("/v1/revision", headers={"Authorization": f"Bearer {expired}"})

    body = _problem(response, 401, "unauthenticated")
    assert "expired" in body["detail"]


@pytest.mark.parametrize("authorization", ["Bearer not-a-jwt", "Basic YWxpY2U6c2VjcmV0", "Bearer"])
def test_garbage_credentials_are_401(client: TestClient, authorization: str) -> None:
    response = client.get("/v1/revision", headers={"Authorization": authorization})

    _problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/subjects/alice/principals", None),
        (
            "PUT",
            "/internal/v1/domains/space:mine",
            {"kind": "community", "visibility": "public", "on_behalf_of": "hugo"},
        ),
        (
            "POST",
            "/internal/v1/grants",
            {
                "subject": "alice",
                "role": "owner",
                "domain": "space:cafe",
                "granted_by": "alice",
                "justification": "Mine now",
            },
        ),
    ],
)
def test_user_tokens_on_internal_endpoints_are_403(
    client: TestClient,
    as_user: Callable[[str], Headers],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    response = client.request(method, path, json=body, headers=as_user("paul"))

    _problem(response, 403, "forbidden")


def test_unknown_ids_are_404(client: TestClient, as_service: Headers, as_user: Any) -> None:
    _problem(
        client.get("/v1/subjects/ghost/principals", headers=as_service), 404, "subject-not-found"
    )
    _problem(
        client.request(
            "DELETE",
            "/v1/grants/not-a-grant",
            json={"justification": "Cleanup"},
            headers=as_user("paul"),
        ),
        404,
        "grant-not-found",
    )
    _problem(client.get("/v1/nothing-here", headers=as_service), 404, "not-found")


def test_the_openapi_documents_errors(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    decisions = schema["paths"]["/v1/decisions"]["post"]["responses"]
    assert {"401", "403", "422"} <= set(decisions)
    assert PROBLEM in decisions["401"]["content"]
    principals = schema["paths"]["/v1/subjects/{subject_id}/principals"]["get"]["responses"]
    assert {"401", "403", "404"} <= set(principals)
    assert "Problem" in schema["components"]["schemas"]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "policy": True, "workers": True}
