"""Feed tokens: created with their value shown once, listed without it, revoked; only a
hash is stored; every refusal is a precise problem."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from townhall_publishing.feeds.service import token_hash

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


async def create(client: httpx.AsyncClient, auth: Auth, user: str, name: str = "Reader") -> dict:
    response = await client.post("/v1/feed-tokens", json={"name": name}, headers=auth(user))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_token_is_shown_once_listed_without_its_value_and_stored_as_a_hash(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    created = await create(client, auth, "alice", "  My news reader  ")
    assert created["token"].startswith("thf_") and len(created["token"]) > 40
    assert created["name"] == "My news reader"
    assert created["prefix"] == created["token"][: len(created["prefix"])]
    assert created["feed_url"].endswith(f"/v1/feeds/official.atom?token={created['token']}")

    listed = await client.get("/v1/feed-tokens", headers=auth("alice"))
    assert listed.status_code == 200
    mine = [item for item in listed.json()["items"] if item["id"] == created["id"]]
    assert mine and "token" not in mine[0]
    stored = db.rows("SELECT token_hash FROM feed_tokens WHERE id = :id", id=created["id"])
    assert stored == [{"token_hash": token_hash(created["token"])}]
    assert db.count("feed_tokens", "token_hash = :v", v=created["token"]) == 0
    others = await client.get("/v1/feed-tokens", headers=auth("bob"))
    assert created["id"] not in {item["id"] for item in others.json()["items"]}


async def test_revoking_ends_the_token_and_is_idempotent(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    created = await create(client, auth, "alice")
    feed = f"/v1/feeds/official.atom?token={created['token']}"
    assert (await client.get(feed)).status_code == 200

    revoked = await client.delete(f"/v1/feed-tokens/{created['id']}", headers=auth("alice"))
    assert revoked.status_code == 204
    again = await client.delete(f"/v1/feed-tokens/{created['id']}", headers=auth("alice"))
    assert again.status_code == 204
    refused = await client.get(feed)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"].endswith("/feed-token-refused")
    listed = await client.get("/v1/feed-tokens", headers=auth("alice"))
    assert created["id"] not in {item["id"] for item in listed.json()["items"]}


async def test_nobody_revokes_anothers_token(client: httpx.AsyncClient, auth: Auth) -> None:
    created = await create(client, auth, "alice")
    for token_id in (created["id"], "no-such-token"):
        refused = await client.delete(f"/v1/feed-tokens/{token_id}", headers=auth("bob"))
        assert refused.status_code == 404
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["type"].endswith("/feed-token-not-found")
    assert (
        await client.get(f"/v1/feeds/official.atom?token={created['token']}")
    ).status_code == 200


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": 3}, {"extra": 1}]
)
async def test_a_malformed_creation_is_422(client: httpx.AsyncClient, auth: Auth, body) -> None:
    refused = await client.post("/v1/feed-tokens", json=body, headers=auth("alice"))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM


async def test_token_management_needs_the_users_bearer_token(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/v1/feed-tokens"),
        ("POST", "/v1/feed-tokens"),
        ("DELETE", "/v1/feed-tokens/x"),
    ):
        refused = await client.request(method, path, json={"name": "Reader"})
        assert refused.status_code == 401, (method, path)
        assert refused.headers["content-type"] == PROBLEM


async def test_a_user_holds_a_bounded_number_of_tokens(
    make_app, settings, serve, auth: Auth
) -> None:
    app = make_app(settings.model_copy(update={"feed_tokens_per_user": 2}))
    async with serve(app) as client:
        held = [
            item["id"]
            for item in (await client.get("/v1/feed-tokens", headers=auth("emma"))).json()["items"]
        ]
        for token_id in held:
            await client.delete(f"/v1/feed-tokens/{token_id}", headers=auth("emma"))
        first = await create(client, auth, "emma")
        await create(client, auth, "emma")
        refused = await client.post("/v1/feed-tokens", json={"name": "3"}, headers=auth("emma"))
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/too-many-feed-tokens")
        await client.delete(f"/v1/feed-tokens/{first['id']}", headers=auth("emma"))
        await create(client, auth, "emma")
