"""The Atom feeds of official posts: valid Atom, only what the token's holder may read
now, and cheap to poll (ETag and Last-Modified)."""

from __future__ import annotations

from collections.abc import Callable

import feedparser
import httpx
import pytest
from lxml import etree

pytestmark = pytest.mark.anyio

ATOM = "{http://www.w3.org/2005/Atom}"
PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


async def feed_token(client: httpx.AsyncClient, auth: Auth, user: str) -> str:
    response = await client.post("/v1/feed-tokens", json={"name": "Reader"}, headers=auth(user))
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def entry_ids(document: bytes) -> list[str]:
    """The posts of an Atom document, checked against the Atom structure on the way."""
    root = etree.fromstring(document)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    ids = []
    for entry in root.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "author", "link", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        ids.append(entry.findtext(f"{ATOM}id").removeprefix("urn:townhall:posts:"))
    return ids


async def test_the_feed_is_valid_atom_of_the_readers_official_posts(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    post = await official(title="Sécurité <au> travail", body="**Casque** obligatoire")
    social = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "Social", "body": "Texte"},
        headers=auth("alice"),
    )
    token = await feed_token(client, auth, "alice")

    response = await client.get(f"/v1/feeds/official.atom?token={token}&lang=fr")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-cache"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Townhall : publications officielles"
    assert token not in response.text  # the self link leaves the token out
    ids = entry_ids(response.content)
    assert post["id"] in ids and social.json()["id"] not in ids
    entry = next(e for e in parsed.entries if e.id == f"urn:townhall:posts:{post['id']}")
    assert entry.title == "Sécurité <au> travail"
    assert entry.link.endswith(f"/posts/{post['id']}")
    assert "<strong>Casque</strong>" in entry.content[0].value


async def test_an_official_post_for_an_audience_reaches_only_its_readers(
    client: httpx.AsyncClient, auth: Auth, official, policy
) -> None:
    post = await official(title="Engineering", audience_groups=["engineering"])
    alice_token = await feed_token(client, auth, "alice")
    david_token = await feed_token(client, auth, "david")

    async def poll(token: str) -> list[str]:
        response = await client.get(f"/v1/feeds/official.atom?token={token}")
        assert response.status_code == 200
        return entry_ids(response.content)

    assert post["id"] in await poll(alice_token)
    assert post["id"] not in await poll(david_token)
    # Alice leaves the group: her token shows the post no more, at the next poll.
    policy.groups["engineering"] = ("department", ("bob",))
    assert post["id"] not in await poll(alice_token)


async def test_a_spaces_feed_is_its_members_only(
    client: httpx.AsyncClient, auth: Auth, official, policy
) -> None:
    general = await official(title="Général")
    token = await feed_token(client, auth, "bob")
    in_general = await client.get(f"/v1/feeds/spaces/general/official.atom?token={token}")
    assert in_general.status_code == 200
    assert general["id"] in entry_ids(in_general.content)
    assert feedparser.parse(in_general.content).bozo == 0

    phoenix = f"/v1/feeds/spaces/projet-phoenix/official.atom?token={token}"
    assert (await client.get(phoenix)).status_code == 200
    policy.members["projet-phoenix"].discard("bob")
    for path in (phoenix, f"/v1/feeds/spaces/no-such-space/official.atom?token={token}"):
        refused = await client.get(path)
        assert refused.status_code == 404, path
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["type"].endswith("/space-not-found")


async def test_an_empty_feed_is_still_valid_atom(client: httpx.AsyncClient, auth: Auth) -> None:
    token = await feed_token(client, auth, "zoe")
    response = await client.get(f"/v1/feeds/spaces/cafe/official.atom?token={token}")
    # Zoe is no employee: the public café is not hers to see.
    assert response.status_code == 404
    response = await client.get(f"/v1/feeds/spaces/projet-phoenix/official.atom?token={token}")
    assert response.status_code == 200
    assert entry_ids(response.content) == []
    assert feedparser.parse(response.content).bozo == 0
    assert "last-modified" not in response.headers and response.headers["etag"]


@pytest.mark.parametrize("token", [None, "", "thf_unknown", "x" * 201])
async def test_a_missing_or_unknown_token_reads_nothing(
    client: httpx.AsyncClient, token: str | None
) -> None:
    params = {} if token is None else {"token": token}
    for path in ("/v1/feeds/official.atom", "/v1/feeds/spaces/general/official.atom"):
        refused = await client.get(path, params=params)
        assert refused.status_code in (401, 422), path
        assert refused.headers["content-type"] == PROBLEM
        assert (refused.status_code == 422) == (token is not None and len(token) > 200)


async def test_an_unknown_language_is_422(client: httpx.AsyncClient, auth: Auth) -> None:
    token = await feed_token(client, auth, "alice")
    refused = await client.get(f"/v1/feeds/official.atom?token={token}&lang=de")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM


async def test_readers_poll_with_conditional_get(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    await official(title="Premier")
    token = await feed_token(client, auth, "alice")
    path = f"/v1/feeds/official.atom?token={token}"
    first = await client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    same = await client.get(path, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == etag
    assert (await client.get(path, headers={"If-None-Match": f'"x", {etag}'})).status_code == 304
    assert (await client.get(path, headers={"If-Modified-Since": modified})).status_code == 304
    for since in ("not a date", "Sat, 01 Jan 2000 00:00:00 GMT"):
        assert (await client.get(path, headers={"If-Modified-Since": since})).status_code == 200
    # If-None-Match decides alone when both are given.
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert (await client.get(path, headers=both)).status_code == 200

    newer = await official(title="Second")
    changed = await client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert newer["id"] in entry_ids(changed.content)
    # A revoked token is refused even with a current ETag: nothing is confirmed to it.
    token_id = next(
        item["id"]
        for item in (await client.get("/v1/feed-tokens", headers=auth("alice"))).json()["items"]
        if token.startswith(item["prefix"])
    )
    await client.delete(f"/v1/feed-tokens/{token_id}", headers=auth("alice"))
    revoked = await client.get(path, headers={"If-None-Match": changed.headers["etag"]})
    assert revoked.status_code == 401
