"""The feed: what a user may read, official first then newest, page after page."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]

WRITES = [
    ("claire", "general", "official"),
    ("alice", "engineering", "social"),
    ("bob", "engineering", "social"),
    ("claire", "general", "official"),
    ("alice", "projet-phoenix", "social"),
    ("emma", "hr-confidential", "social"),
    ("farid", "cafe", "social"),
    ("bob", "projet-phoenix", "social"),
    ("claire", "general", "official"),
    ("gaelle", "cafe", "social"),
    ("alice", "engineering", "social"),
]


@pytest.fixture
async def published(client: httpx.AsyncClient, auth: Auth, official) -> list[dict[str, str]]:
    posts = []
    for number, (author, space, kind) in enumerate(WRITES):
        if kind == "official":
            posts.append(await official(author=author, title=f"Post {number}"))
            continue
        response = await client.post(
            "/v1/posts",
            json={"space_id": space, "kind": kind, "title": f"Post {number}", "body": "Texte"},
            headers=auth(author),
        )
        assert response.status_code == 201, response.text
        posts.append(response.json())
    return posts


def expected_feed(db, principals: set[str]) -> list[str]:
    """Every published post readable by `principals`, in feed order, straight from the table."""
    rows = db.rows("SELECT id, kind, readers, published_at FROM posts WHERE state = 'published'")
    readable = [row for row in rows if principals & set(db.json(row["readers"]))]
    readable.sort(key=lambda row: (row["published_at"], row["id"]), reverse=True)
    readable.sort(key=lambda row: row["kind"] != "official")
    return [row["id"] for row in readable]


async def read_all(
    client: httpx.AsyncClient, auth: Auth, user: str, limit: int
) -> tuple[list[dict[str, str]], int]:
    items: list[dict[str, str]] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/feed", params=params, headers=auth(user))
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


async def test_feed_pages_through_everything_readable_official_first_then_newest(
    client: httpx.AsyncClient, auth: Auth, published, db
) -> None:
    items, pages = await read_all(client, auth, "hugo", limit=3)

    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "a post appeared on two pages"
    assert ids == expected_feed(db, {"org", "user:hugo", "group:operations"})
    assert pages == -(-len(ids) // 3)
    kinds = [item["kind"] for item in items]
    assert kinds == sorted(kinds, key=lambda kind: kind != "official")
    assert {item["space_id"] for item in items}.isdisjoint({"projet-phoenix", "hr-confidential"})
    mine = {post["id"] for post in published if post["space_id"] in {"general", "cafe"}}
    assert mine <= set(ids)


async def test_feed_follows_each_readers_principals(
    client: httpx.AsyncClient, auth: Auth, published, db
) -> None:
    alice, _ = await read_all(client, auth, "alice", limit=100)
    zoe, _ = await read_all(client, auth, "zoe", limit=4)

    phoenix = {post["id"] for post in published if post["space_id"] == "projet-phoenix"}
    hr = {post["id"] for post in published if post["space_id"] == "hr-confidential"}
    assert phoenix <= {item["id"] for item in alice}
    assert not hr & {item["id"] for item in alice}
    # zoe is no employee: she reads her restricted space and nothing company-wide.
    assert {item["space_id"] for item in zoe} == {"projet-phoenix"}
    assert [item["id"] for item in zoe] == expected_feed(db, {"user:zoe", "space:projet-phoenix"})


async def test_unknown_subject_reads_an_empty_feed(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get("/v1/feed", headers=auth("mallory"))

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


def _encode(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "%%%",
        _encode([]),
        _encode({"rank": 0}),
        _encode([5, "2025-01-01T00:00:00+00:00", "x"]),
        _encode([0, "yesterday", "x"]),
        _encode([0, "2025-01-01T00:00:00", "x"]),
        _encode([0, "2025-01-01T00:00:00+00:00", 7]),
        "A" * 1000,
    ],
)
async def test_malformed_cursor_is_a_bad_request(
    client: httpx.AsyncClient, auth: Auth, cursor: str
) -> None:
    response = await client.get("/v1/feed", params={"cursor": cursor}, headers=auth("alice"))

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-cursor")


async def test_limit_must_be_between_1_and_100(client: httpx.AsyncClient, auth: Auth) -> None:
    for limit in (0, 101, -1, "ten"):
        response = await client.get("/v1/feed", params={"limit": limit}, headers=auth("alice"))
        assert response.status_code == 422, limit
        assert response.headers["content-type"] == PROBLEM
    assert (await client.get("/v1/feed?limit=100", headers=auth("alice"))).status_code == 200


async def test_feed_fails_closed_when_policy_is_down(
    client: httpx.AsyncClient, auth: Auth, policy
) -> None:
    policy.available = False

    response = await client.get("/v1/feed", headers=auth("alice"))

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
