"""Bad input at every service's boundary gets a precise problem+json, over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

PROBLEM = "application/problem+json"
SERVICES = ("policy", "publishing", "search")
USER_ENDPOINT = {
    "policy": ("POST", "/v1/decisions", {"subject": "alice", "action": "read", "domain": "org"}),
    "publishing": ("GET", "/v1/spaces", None),
    "search": ("GET", "/v1/search?q=test", None),
}
INTERNAL_ENDPOINT = {
    "policy": ("GET", "/v1/subjects/alice/principals", None),
    "publishing": None,
    "search": ("POST", "/internal/v1/index/bulk", {"events": []}),
}


def _call(url: str, method: str, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    return httpx.request(method, url + path, json=body, headers=headers, timeout=10)


def _assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = dict(response.json())
    assert problem["status"] == status
    assert problem["type"].startswith("https://")
    assert problem["title"]
    return problem


def _forged_token(subject: str) -> str:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "townhall-dev",
        "aud": "townhall",
        "sub": subject,
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode(claims, other_key, algorithm="RS256")


@pytest.mark.parametrize("service", SERVICES)
def test_tokens_missing_forged_or_expired_are_refused(system: Any, service: str) -> None:
    method, path, body = USER_ENDPOINT[service]
    url = system.services[service].url
    _assert_problem(_call(url, method, path, body, {}), 401)
    _assert_problem(_call(url, method, path, body, {"Authorization": "Basic abc"}), 401)
    _assert_problem(_call(url, method, path, body, {"Authorization": "Bearer not.a.jwt"}), 401)
    forged = {"Authorization": f"Bearer {_forged_token('alice')}"}
    _assert_problem(_call(url, method, path, body, forged), 401)
    expired = system.issuer.user_token("alice", ttl_seconds=-120)
    problem = _assert_problem(
        _call(url, method, path, body, {"Authorization": f"Bearer {expired}"}), 401
    )
    assert "expired" in problem["detail"]


@pytest.mark.parametrize("service", ["policy", "search"])
def test_user_token_on_internal_endpoint_is_forbidden(system: Any, service: str) -> None:
    method, path, body = INTERNAL_ENDPOINT[service]
    headers = {"Authorization": f"Bearer {system.token('alice')}"}
    _assert_problem(_call(system.services[service].url, method, path, body, headers), 403)


@pytest.mark.parametrize("service", ["policy", "publishing"])
def test_malformed_json_and_unknown_fields(system: Any, service: str) -> None:
    url = system.services[service].url
    path = "/v1/decisions" if service == "policy" else "/v1/posts"
    headers = {
        "Authorization": f"Bearer {system.token('alice')}",
        "Content-Type": "application/json",
    }
    malformed = httpx.post(url + path, content=b'{"subject": ', headers=headers, timeout=10)
    _assert_problem(malformed, 400)
    body = (
        {"subject": "alice", "action": "read", "domain": "org", "sneaky": True}
        if service == "policy"
        else {
            "space_id": "engineering",
            "kind": "social",
            "title": "t",
            "body": "b",
            "sneaky": True,
        }
    )
    problem = _assert_problem(httpx.post(url + path, json=body, headers=headers, timeout=10), 422)
    assert "sneaky" in str(problem)


def test_oversized_body_is_refused_and_nothing_is_written(system: Any) -> None:
    client = system.as_user("publishing", "alice")
    huge = {"space_id": "engineering", "kind": "social", "title": "big", "body": "x" * 2_000_000}
    _assert_problem(client.post("/v1/posts", json=huge), 413)
    results = system.search("alice", q="big", author="alice", limit=100)
    assert all(hit["title"] != "big" for hit in results["hits"])


def test_unknown_ids_are_404(system: Any) -> None:
    _assert_problem(system.as_user("publishing", "alice").get("/v1/posts/no-such-post"), 404)
    _assert_problem(system.as_user("publishing", "alice").get("/v1/spaces/no-such-space"), 404)
    unknown_space = {"space_id": "no-such-space", "kind": "social", "title": "t", "body": "b"}
    _assert_problem(
        system.as_user("publishing", "alice").post("/v1/posts", json=unknown_space), 404
    )


@pytest.mark.parametrize("service", SERVICES)
def test_operations_endpoints(system: Any, service: str) -> None:
    url = system.services[service].url
    assert httpx.get(url + "/healthz", timeout=5).json()["status"] == "ok"
    assert httpx.get(url + "/readyz", timeout=5).status_code == 200
    metrics = httpx.get(url + "/metrics", timeout=5)
    assert "townhall_http_requests_total" in metrics.text
    spec = httpx.get(url + "/openapi.json", timeout=5).json()
    assert "Problem" in spec["components"]["schemas"]
    response = httpx.get(url + "/healthz", headers={"X-Request-ID": "trace-me-123"}, timeout=5)
    assert response.headers["x-request-id"] == "trace-me-123"
