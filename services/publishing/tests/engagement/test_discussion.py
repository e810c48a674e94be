"""Social discussion: Markdown made safe, mentions, edits with history, soft deletion,
comments with one level of replies, official answers, endorsement, pins, reactions."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
PROBLEM = "application/problem+json"


async def social(
    client: httpx.AsyncClient,
    auth: Auth,
    author: str = "alice",
    body: str = "Texte",
    space: str = "engineering",
) -> dict[str, Any]:
    response = await client.post(
        "/v1/posts",
        json={"space_id": space, "kind": "social", "title": "Sujet", "body": body},
        headers=auth(author),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def last_event(db, doc_id: str) -> dict[str, Any]:
    row = db.rows(
        "SELECT version, data AS payload FROM outbox WHERE doc_id = :id ORDER BY id DESC", id=doc_id
    )[0]
    return {"version": row["version"], **db.document(row["payload"])}


async def test_script_injection_is_stored_as_written_and_rendered_inert(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    body = (
        "Salut <script>alert('xss')</script> **gras**\n\n"
        "[clic](javascript:alert(1)) <img src=x onerror=alert(1)> "
        '<a href="#" onclick="steal()">lien</a>\n\n[doc](https://example.com/a)'
    )
    post = await social(client, auth, body=body)

    assert post["body"] == body  # the source, kept as written
    html = post["body_html"]
    elements = parse(html)
    tags = [tag for tag, _ in elements]
    assert "script" not in tags
    assert "img" not in tags
    for _tag, attributes in elements:
        for name, value in attributes:
            assert not name.startswith("on")
            assert not (value or "").strip().lower().startswith("javascript:")
    assert (
        "a",
        [("href", "https://example.com/a"), ("rel", "noopener noreferrer nofollow")],
    ) in elements
    assert ("strong", []) in elements
    # What was markup in the source is shown as text.
    assert "&lt;script&gt;" in html


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def parse(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of `html` with its attributes, as a browser would build them."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


async def test_mentions_are_stored_and_sent_to_search(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth, body="Merci @bob et @Emma ! (pas moi@example.com) @bob")

    assert post["mentions"] == ["bob", "emma"]
    assert last_event(db, post["id"])["mentions"] == ["bob", "emma"]


async def test_an_edit_keeps_the_history_and_reaches_search(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth, body="Première version")

    edited = await client.patch(
        f"/v1/posts/{post['id']}", json={"body": "Deuxième version @farid"}, headers=auth("alice")
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["edit_count"] == 1
    assert edited.json()["mentions"] == ["farid"]
    versions = (await client.get(f"/v1/posts/{post['id']}/versions", headers=auth("bob"))).json()
    assert [v["body"] for v in versions["versions"]] == ["Première version"]
    assert versions["current"]["body"] == "Deuxième version @farid"
    event = last_event(db, post["id"])
    assert event["version"] == 2
    assert event["body"] == "Deuxième version @farid"


async def test_only_the_author_edits_or_deletes(client: httpx.AsyncClient, auth: Auth, db) -> None:
    post = await social(client, auth)
    before = db.counts()

    edit = await client.patch(
        f"/v1/posts/{post['id']}", json={"body": "pirate"}, headers=auth("bob")
    )
    delete = await client.delete(f"/v1/posts/{post['id']}", headers=auth("bob"))
    empty = await client.patch(f"/v1/posts/{post['id']}", json={}, headers=auth("alice"))

    assert edit.status_code == 403
    assert edit.json()["type"].endswith("/not-author")
    assert delete.status_code == 403
    assert empty.status_code == 422
    assert db.counts() == before


async def test_deletion_is_soft_kept_for_audit_gone_for_readers(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth)
    comment = await client.post(
        f"/v1/posts/{post['id']}/comments", json={"body": "Réponse"}, headers=auth("bob")
    )

    deleted = await client.delete(f"/v1/posts/{post['id']}", headers=auth("alice"))

    assert deleted.status_code == 204
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("bob"))).status_code == 404
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).status_code == 404
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("olivier"))).status_code == 200
    assert db.count("posts", "id = :id AND state = 'deleted'", id=post["id"]) == 1
    assert last_event(db, post["id"])["readers"] == ["auditor:org"]
    # Its comments follow it out of search.
    assert last_event(db, comment.json()["id"])["readers"] == ["auditor:org"]
    again = await client.delete(f"/v1/posts/{post['id']}", headers=auth("alice"))
    assert again.status_code == 404


async def test_comments_take_one_level_of_replies(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth)
    top = await client.post(
        f"/v1/posts/{post['id']}/comments", json={"body": "Top"}, headers=auth("bob")
    )
    reply = await client.post(
        f"/v1/posts/{post['id']}/comments",
        json={"body": "Reply @alice", "parent_id": top.json()["id"]},
        headers=auth("david"),
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["parent_id"] == top.json()["id"]
    assert reply.json()["mentions"] == ["alice"]
    before = db.counts()

    deeper = await client.post(
        f"/v1/posts/{post['id']}/comments",
        json={"body": "Deeper", "parent_id": reply.json()["id"]},
        headers=auth("farid"),
    )
    missing = await client.post(
        f"/v1/posts/{post['id']}/comments",
        json={"body": "?", "parent_id": "nope"},
        headers=auth("farid"),
    )

    assert deeper.status_code == 422
    assert deeper.json()["type"].endswith("/invalid-reply")
    assert missing.status_code == 422
    assert db.counts() == before
    listed = (await client.get(f"/v1/posts/{post['id']}/comments", headers=auth("alice"))).json()
    assert [c["id"] for c in listed["items"]] == [top.json()["id"], reply.json()["id"]]
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).json()[
        "comment_count"
    ] == 2


async def test_comment_edit_and_delete_by_their_author(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth)
    made = (
        await client.post(
            f"/v1/posts/{post['id']}/comments", json={"body": "v1"}, headers=auth("bob")
        )
    ).json()
    path = f"/v1/posts/{post['id']}/comments/{made['id']}"

    assert (await client.patch(path, json={"body": "x"}, headers=auth("alice"))).status_code == 403
    edited = await client.patch(path, json={"body": "v2"}, headers=auth("bob"))
    assert edited.status_code == 200
    assert edited.json()["edit_count"] == 1
    assert last_event(db, made["id"])["body"] == "v2"
    assert (await client.delete(path, headers=auth("bob"))).status_code == 204
    listed = (await client.get(f"/v1/posts/{post['id']}/comments", headers=auth("alice"))).json()
    assert listed["items"] == []
    assert last_event(db, made["id"])["readers"] == ["auditor:org"]


async def test_a_spokesperson_answers_officially_labelled_as_such(
    client: httpx.AsyncClient, auth: Auth, db, official
) -> None:
    post = await social(client, auth, body="Quand arrive la prime ?")

    answer = await client.post(
        f"/v1/posts/{post['id']}/comments",
        json={"body": "En mars.", "official": True},
        headers=auth("sophie"),
    )
    by_employee = await client.post(
        f"/v1/posts/{post['id']}/comments",
        json={"body": "Moi aussi", "official": True},
        headers=auth("bob"),
    )

    assert answer.status_code == 201, answer.text
    assert answer.json()["official"] is True
    assert answer.json()["authority"] == "Direction de la communication"
    assert last_event(db, answer.json()["id"])["kind"] == "official"
    assert by_employee.status_code == 403
    assert by_employee.json()["reason"]["missing"].startswith("answer.official")
    # In an official post's thread, the official voice is the post itself.
    announcement = await official()
    inside = await client.post(
        f"/v1/posts/{announcement['id']}/comments",
        json={"body": "x", "official": True},
        headers=auth("sophie"),
    )
    assert inside.status_code == 422


async def test_endorsement_keeps_the_author_and_names_the_endorser(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    post = await social(client, auth)

    endorsed = await client.post(f"/v1/posts/{post['id']}/endorse", headers=auth("claire"))
    twice = await client.post(f"/v1/posts/{post['id']}/endorse", headers=auth("claire"))
    refused = await client.post(f"/v1/posts/{post['id']}/endorse", headers=auth("bob"))

    assert endorsed.status_code == 200
    assert endorsed.json()["author_id"] == "alice"
    assert endorsed.json()["endorsed_by"] == "claire"
    assert twice.status_code == 409
    assert refused.status_code == 403
    withdrawn = await client.delete(f"/v1/posts/{post['id']}/endorse", headers=auth("claire"))
    assert withdrawn.json()["endorsed_by"] is None


async def test_pinned_posts_come_first_in_the_space_and_the_feed(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    older = await social(client, auth, author="bob")
    await social(client, auth, author="alice")

    pinned = await client.post(f"/v1/posts/{older['id']}/pin", headers=auth("bob"))  # the owner
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["pinned"] is True
    assert (
        await client.post(f"/v1/posts/{older['id']}/pin", headers=auth("alice"))
    ).status_code == 403

    listing = (await client.get("/v1/spaces/engineering/posts", headers=auth("david"))).json()
    assert listing["items"][0]["id"] == older["id"]
    assert all(item["space_id"] == "engineering" for item in listing["items"])
    feed = (await client.get("/v1/feed", headers=auth("david"))).json()
    assert feed["items"][0]["id"] == older["id"]
    await client.delete(f"/v1/posts/{older['id']}/pin", headers=auth("claire"))
    feed = (await client.get("/v1/feed", headers=auth("david"))).json()
    assert feed["items"][0]["id"] != older["id"]


async def test_reactions_one_per_user_and_kind(client: httpx.AsyncClient, auth: Auth, db) -> None:
    post = await social(client, auth)
    path = f"/v1/posts/{post['id']}/reactions"

    first = await client.post(path, json={"kind": "like"}, headers=auth("bob"))
    await client.post(path, json={"kind": "celebrate"}, headers=auth("bob"))
    await client.post(path, json={"kind": "like"}, headers=auth("david"))
    before = db.counts()
    twice = await client.post(path, json={"kind": "like"}, headers=auth("bob"))
    unknown = await client.post(path, json={"kind": "angry"}, headers=auth("bob"))

    assert first.status_code == 201
    assert twice.status_code == 409
    assert twice.headers["content-type"] == PROBLEM
    assert unknown.status_code == 422
    assert db.counts() == before
    read = (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).json()
    assert read["reactions"] == {"like": 2, "celebrate": 1}
    assert read["my_reactions"] == []
    mine = (await client.get(f"/v1/posts/{post['id']}", headers=auth("bob"))).json()
    assert mine["my_reactions"] == ["celebrate", "like"]
    taken_back = await client.delete(f"{path}/like", headers=auth("bob"))
    assert taken_back.json() == {
        "post_id": post["id"],
        "counts": {"like": 1, "celebrate": 1},
        "mine": ["celebrate"],
    }
    assert (await client.delete(f"{path}/like", headers=auth("bob"))).status_code == 404


async def test_over_long_bodies_are_refused_whole(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    before = db.counts()
    long_post = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "T", "body": "x" * 20001},
        headers=auth("alice"),
    )
    post = await social(client, auth)
    after_post = db.counts()
    long_comment = await client.post(
        f"/v1/posts/{post['id']}/comments", json={"body": "x" * 5001}, headers=auth("bob")
    )
    assert long_post.status_code == 422
    assert long_comment.status_code == 422
    assert long_post.headers["content-type"] == PROBLEM
    assert after_post["posts"] == before["posts"] + 1
    assert db.counts() == after_post


async def test_unknown_space_and_unknown_post_are_404(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    space = await client.post(
        "/v1/posts",
        json={"space_id": "nowhere", "kind": "social", "title": "T", "body": "B"},
        headers=auth("alice"),
    )
    post = await client.post("/v1/posts/nope/comments", json={"body": "B"}, headers=auth("alice"))
    assert space.status_code == 404
    assert space.json()["type"].endswith("/space-not-found")
    assert post.status_code == 404
