"""Bad input gets a precise problem+json, and nothing is half-written."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from townhall_platform.auth import TokenIssuer, ensure_signing_key

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]
POST_BODY = {"space_id": "engineering", "kind": "social", "title": "Hi", "body": "Hello"}
SPACE_BODY = {"id": "bad-input", "name": "Bad", "kind": "community", "visibility": "public"}

# Every user endpoint with a valid body: only the credentials vary.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/spaces", None),
    ("GET", "/v1/spaces/general", None),
    ("POST", "/v1/spaces", SPACE_BODY),
    ("POST", "/v1/posts", POST_BODY),
    ("GET", "/v1/posts/00000000-0000-0000-0000-000000000000", None),
    ("POST", "/v1/posts/00000000-0000-0000-0000-000000000000/comments", {"body": "Hi"}),
    ("GET", "/v1/feed", None),
]


def _issuer(**overrides: str) -> TokenIssuer:
    options = {
        "issuer": "townhall-dev",
        "user_audience": "townhall",
        "service_audience": "townhall-internal",
    }
    options.update(overrides)
    return TokenIssuer(rsa.generate_private_key(public_exponent=65537, key_size=2048), **options)


def bad_credentials(token_issuer: TokenIssuer, signing_key_file: Path) -> dict[str, dict[str, str]]:
    """Credentials that must not get in; the last two are signed with the right key."""
    key = ensure_signing_key(signing_key_file)
    forged = _issuer().user_token("alice")
    return {
        "missing": {},
        "not bearer": {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        "empty bearer": {"Authorization": "Bearer "},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "forged": {"Authorization": f"Bearer {forged}"},
        "expired": {
            "Authorization": f"Bearer {token_issuer.user_token('alice', ttl_seconds=-120)}"
        },
        "other audience": {
            "Authorization": "Bearer "
            + TokenIssuer(
                key,
                issuer="townhall-dev",
                user_audience="another-app",
                service_audience="townhall-internal",
            ).user_token("alice")
        },
        "other issuer": {
            "Authorization": "Bearer "
            + TokenIssuer(
                key,
                issuer="someone-else",
                user_audience="townhall",
                service_audience="townhall-internal",
            ).user_token("alice")
        },
    }


@pytest.fixture
async def untouched(db, policy) -> AsyncIterator[None]:
    """The test must write nothing and ask policy nothing."""
    before = db.counts()
    yield
    assert db.counts() == before
    assert policy.decisions == []
    assert policy.grants == []


async def test_bad_credentials_are_401_on_every_user_endpoint(
    client: httpx.AsyncClient, token_issuer: TokenIssuer, signing_key_file: Path, untouched
) -> None:
    for name, headers in bad_credentials(token_issuer, signing_key_file).items():
        for method, path, body in ENDPOINTS:
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (name, method, path)
            assert response.headers["content-type"] == PROBLEM
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["type"].endswith("/unauthenticated")


async def test_service_tokens_are_refused_on_user_endpoints(
    client: httpx.AsyncClient, token_issuer: TokenIssuer, untouched
) -> None:
    headers = {"Authorization": f"Bearer {token_issuer.service_token('search')}"}
    for method, path, body in ENDPOINTS:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/forbidden")


@pytest.mark.parametrize("path", ["/v1/posts", "/v1/spaces", "/v1/posts/any/comments"])
async def test_malformed_json_is_400(
    client: httpx.AsyncClient, auth: Auth, untouched, path: str
) -> None:
    for content in (b'{"space_id": "engineering",', b"\xff\xfe", b"[1, 2"):
        response = await client.post(
            path,
            content=content,
            headers={**auth("alice"), "Content-Type": "application/json"},
        )
        assert response.status_code == 400, content
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/malformed-body")


async def test_unknown_fields_are_422(client: httpx.AsyncClient, auth: Auth, untouched) -> None:
    cases = [
        ("/v1/posts", {**POST_BODY, "author_id": "marc"}),
        ("/v1/posts", {**POST_BODY, "state": "draft"}),
        ("/v1/spaces", {**SPACE_BODY, "created_by": "paul"}),
        ("/v1/posts/any/comments", {"body": "Hi", "author_id": "marc"}),
    ]
    for path, body in cases:
        response = await client.post(path, json=body, headers=auth("alice"))
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["type"].endswith("/validation-failed")
        assert any(error["kind"] == "extra_forbidden" for error in problem["errors"])


async def test_wrong_json_shapes_are_422(client: httpx.AsyncClient, auth: Auth, untouched) -> None:
    for body in ([], "a post", 42, None, {"space_id": 7, "kind": "social"}):
        response = await client.post("/v1/posts", json=body, headers=auth("alice"))
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM


async def test_oversized_bodies_are_413(
    client: httpx.AsyncClient, auth: Auth, settings, untouched
) -> None:
    huge = (
        b'{"space_id": "engineering", "kind": "social", "title": "t", "body": "'
        + (b"x" * settings.max_body_bytes)
        + b'"}'
    )

    declared = await client.post(
        "/v1/posts", content=huge, headers={**auth("alice"), "Content-Type": "application/json"}
    )

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 65_536):
            yield huge[start : start + 65_536]

    streamed = await client.post(
        "/v1/posts",
        content=chunks(),
        headers={**auth("alice"), "Content-Type": "application/json"},
    )
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/payload-too-large")


async def test_unknown_routes_and_methods_are_problems(
    client: httpx.AsyncClient, auth: Auth, untouched
) -> None:
    missing = await client.get("/v1/nothing-here", headers=auth("alice"))
    wrong_method = await client.delete("/v1/feed", headers=auth("alice"))

    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == PROBLEM
