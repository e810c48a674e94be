"""An endorsement, a pin and an official answer vouch for one revision of a post's text.

The attack: alice writes a social post; claire endorses and pins it; sophie answers
officially under it; alice then rewrites it. Her new text must not inherit what was said
of the old one: the endorsement and the pin lapse (kept in the history with the revision,
who, when and the decision), the official answer stays but shows which revision it
answered, and the feed and search documents say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]

ATTACK_TITLE = "Official: layoffs next month"
ATTACK_BODY = "Official: layoffs next month. Details to follow."


def last_event(db: Any, doc_id: str) -> dict[str, Any]:
    row = db.rows(
        "SELECT version, data AS payload FROM outbox WHERE doc_id = :id ORDER BY id DESC", id=doc_id
    )[0]
    return {"version": row["version"], **db.document(row["payload"])}


async def vouched_post(client: httpx.AsyncClient, auth: Auth) -> dict[str, Any]:
    """alice's post, endorsed and pinned by claire, answered officially by sophie."""
    created = await client.post(
        "/v1/posts",
        json={
            "space_id": "engineering",
            "kind": "social",
            "title": "Our team offsite",
            "body": "We are planning the team offsite in June.",
        },
        headers=auth("alice"),
    )
    assert created.status_code == 201, created.text
    post = dict(created.json())
    endorsed = await client.post(f"/v1/posts/{post['id']}/endorse", headers=auth("claire"))
    assert endorsed.status_code == 200, endorsed.text
    pinned = await client.post(f"/v1/posts/{post['id']}/pin", headers=auth("claire"))
    assert pinned.status_code == 200, pinned.text
    answer = await client.post(
        f"/v1/posts/{post['id']}/comments",
        json={"body": "Confirmed: this is the company's position.", "official": True},
        headers=auth("sophie"),
    )
    assert answer.status_code == 201, answer.text
    return {
        "post": post,
        "endorsed": endorsed.json(),
        "pinned": pinned.json(),
        "answer": answer.json(),
    }


async def test_vouches_name_the_revision_they_vouch_for(
    client: httpx.AsyncClient, auth: Auth, db: Any
) -> None:
    vouched = await vouched_post(client, auth)
    post_id = vouched["post"]["id"]

    read = (await client.get(f"/v1/posts/{post_id}", headers=auth("bob"))).json()

    assert vouched["post"]["revision"] == 1
    assert read["revision"] == 1
    assert read["endorsement"] == {
        "by": "claire",
        "at": read["endorsed_at"],
        "revision": 1,
        "decision_id": vouched["endorsed"]["decision_id"],
    }
    assert read["pin"]["by"] == "claire"
    assert read["pin"]["revision"] == 1
    assert read["pin"]["decision_id"] == vouched["pinned"]["decision_id"]
    assert vouched["answer"]["post_revision"] == 1
    assert vouched["answer"]["post_edited_since"] is False
    document = last_event(db, post_id)
    assert document["revision"] == 1
    assert document["endorsed_by"] == "claire"
    assert document["pinned_by"] == "claire"
    answer_document = last_event(db, vouched["answer"]["id"])
    assert answer_document["revision"] == 1
    assert answer_document["post_edited_since"] is False


async def test_an_edit_by_the_author_does_not_borrow_the_official_voice(
    client: httpx.AsyncClient, auth: Auth, db: Any
) -> None:
    vouched = await vouched_post(client, auth)
    post_id = vouched["post"]["id"]
    answer_id = vouched["answer"]["id"]
    answer_version = last_event(db, answer_id)["version"]

    edited = await client.patch(
        f"/v1/posts/{post_id}",
        json={"title": ATTACK_TITLE, "body": ATTACK_BODY},
        headers=auth("alice"),
    )

    assert edited.status_code == 200, edited.text
    # Every reader sees the new text as alice's alone: not endorsed, not pinned.
    for reader in ("bob", "alice", "claire"):
        read = (await client.get(f"/v1/posts/{post_id}", headers=auth(reader))).json()
        assert read["title"] == ATTACK_TITLE
        assert read["endorsed_by"] is None
        assert read["pinned"] is False
        assert read["revision"] == 2
        assert read["endorsement"] is None
        assert read["pin"] is None
    # The feed does not put it first or mark it endorsed.
    feed = (await client.get("/v1/feed", headers=auth("david"))).json()
    item = next(i for i in feed["items"] if i["id"] == post_id)
    assert item["pinned"] is False
    assert item["endorsement"] is None
    assert item["revision"] == 2
    space = (await client.get("/v1/spaces/engineering/posts", headers=auth("david"))).json()
    assert all(i["pinned"] is False for i in space["items"] if i["id"] == post_id)
    # The official answer stays, saying which revision it answered.
    comments = (await client.get(f"/v1/posts/{post_id}/comments", headers=auth("bob"))).json()
    answer = next(c for c in comments["items"] if c["id"] == answer_id)
    assert answer["official"] is True
    assert answer["post_revision"] == 1
    assert answer["post_edited_since"] is True
    # The history: which revision was endorsed and pinned, by whom, under which decision.
    history = (await client.get(f"/v1/posts/{post_id}/history", headers=auth("bob"))).json()
    steps = {step["step"]: step for step in history["steps"]}
    assert steps["endorse"]["revision"] == 1
    assert steps["endorse"]["actor_id"] == "claire"
    assert steps["endorse"]["decision_id"] == vouched["endorsed"]["decision_id"]
    assert steps["pin"]["revision"] == 1
    assert steps["pin"]["decision_id"] == vouched["pinned"]["decision_id"]
    assert steps["edit"]["revision"] == 2
    assert steps["edit"]["actor_id"] == "alice"
    for lapsed, vouch in (("endorsement-lapsed", "endorse"), ("pin-lapsed", "pin")):
        assert steps[lapsed]["revision"] == 2
        assert steps[lapsed]["actor_id"] == "alice"
        assert steps[lapsed]["ends"] == {
            "by": "claire",
            "at": steps[vouch]["at"],
            "revision": 1,
            "decision_id": steps[vouch]["decision_id"],
        }
    versions = (await client.get(f"/v1/posts/{post_id}/versions", headers=auth("bob"))).json()
    assert [(v["revision"], v["title"]) for v in versions["versions"]] == [(1, "Our team offsite")]
    assert (versions["current"]["revision"], versions["current"]["title"]) == (2, ATTACK_TITLE)
    # Search hears of it: the post's document and the lapsed answer's document.
    document = last_event(db, post_id)
    assert document["title"] == ATTACK_TITLE
    assert document["revision"] == 2
    assert document["endorsed_by"] is None
    assert document["pinned_by"] is None
    answer_document = last_event(db, answer_id)
    assert answer_document["version"] == answer_version + 1
    assert answer_document["revision"] == 1
    assert answer_document["post_edited_since"] is True


async def test_vouching_again_covers_the_new_revision_only(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    vouched = await vouched_post(client, auth)
    post_id = vouched["post"]["id"]
    await client.patch(f"/v1/posts/{post_id}", json={"body": "v2"}, headers=auth("alice"))

    again = await client.post(f"/v1/posts/{post_id}/endorse", headers=auth("claire"))
    answer = await client.post(
        f"/v1/posts/{post_id}/comments",
        json={"body": "Still right.", "official": True},
        headers=auth("sophie"),
    )

    assert again.status_code == 200, again.text
    assert again.json()["endorsement"]["revision"] == 2
    assert answer.json()["post_revision"] == 2
    assert answer.json()["post_edited_since"] is False


async def test_a_vouch_for_a_revision_already_replaced_is_refused_whole(
    client: httpx.AsyncClient, auth: Auth, db: Any
) -> None:
    created = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "T", "body": "v1"},
        headers=auth("alice"),
    )
    post_id = created.json()["id"]
    await client.patch(f"/v1/posts/{post_id}", json={"body": "v2"}, headers=auth("alice"))
    before = db.counts()

    # Each was asked for while its author read revision 1.
    endorse = await client.post(
        f"/v1/posts/{post_id}/endorse", json={"revision": 1}, headers=auth("claire")
    )
    pin = await client.post(
        f"/v1/posts/{post_id}/pin", json={"revision": 1}, headers=auth("claire")
    )
    answer = await client.post(
        f"/v1/posts/{post_id}/comments",
        json={"body": "Confirmed.", "official": True, "post_revision": 1},
        headers=auth("sophie"),
    )

    for refused in (endorse, pin, answer):
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/revision-changed")
        assert refused.json()["current_revision"] == 2
    assert db.counts() == before
    current = await client.post(
        f"/v1/posts/{post_id}/endorse", json={"revision": 2}, headers=auth("claire")
    )
    assert current.status_code == 200, current.text
    assert current.json()["endorsement"]["revision"] == 2
