"""Moderation: reports, the queue, hide and restore with reasons, and the record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


async def social(client: httpx.AsyncClient, auth: Auth, author: str = "alice") -> dict[str, Any]:
    response = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "Sujet", "body": "Texte"},
        headers=auth(author),
    )
    assert response.status_code == 201
    return dict(response.json())


def feed_ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


async def test_report_queue_hide_and_restore_with_the_record(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth)
    comment = await client.post(
        f"/v1/posts/{post['id']}/comments", json={"body": "Bof"}, headers=auth("bob")
    )

    reported = await client.post(
        f"/v1/posts/{post['id']}/reports",
        json={"reason": "Propos blessants"},
        headers=auth("david"),
    )
    twice = await client.post(
        f"/v1/posts/{post['id']}/reports", json={"reason": "Encore"}, headers=auth("david")
    )
    assert reported.status_code == 201, reported.text
    assert twice.status_code == 409
    queue = (await client.get("/v1/moderation/reports", headers=auth("nadia"))).json()
    assert reported.json()["id"] in [r["id"] for r in queue["items"]]
    assert (await client.get("/v1/moderation/reports", headers=auth("david"))).status_code == 403

    hidden = await client.post(
        f"/v1/posts/{post['id']}/hide",
        json={"reason": "Propos blessants envers un collègue"},
        headers=auth("nadia"),
    )
    assert hidden.status_code == 200, hidden.text
    record = hidden.json()
    assert (record["action"], record["moderator_id"]) == ("hide", "nadia")
    assert record["decision_id"]

    # Gone for everyone but the author and moderators, in reads, feeds and search.
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).status_code == 404
    assert post["id"] not in feed_ids(
        (await client.get("/v1/feed", params={"limit": 100}, headers=auth("david"))).json()
    )
    as_author = (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).json()
    assert as_author["state"] == "hidden"
    assert as_author["hidden_reason"] == "Propos blessants envers un collègue"
    assert post["id"] in feed_ids(
        (await client.get("/v1/feed", params={"limit": 100}, headers=auth("alice"))).json()
    )
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("nadia"))).status_code == 200
    events = db.rows(
        "SELECT doc_id, data AS payload FROM outbox WHERE doc_id IS NOT NULL "
        "ORDER BY id DESC LIMIT 2"
    )
    readers = {e["doc_id"]: db.document(e["payload"])["readers"] for e in events}
    assert readers[post["id"]] == [
        "auditor:org",
        "moderator:org",
        "moderator:space:engineering",
        "user:alice",
    ]
    assert readers[comment.json()["id"]] == readers[post["id"]]
    # The report was settled by the action.
    assert reported.json()["id"] not in [
        r["id"]
        for r in (await client.get("/v1/moderation/reports", headers=auth("nadia"))).json()["items"]
    ]

    restored = await client.post(
        f"/v1/posts/{post['id']}/restore", json={"reason": "Contexte clarifié"}, headers=auth("bob")
    )
    assert restored.status_code == 200, restored.text
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).json()[
        "hidden_reason"
    ] is None
    actions = (
        await client.get(
            "/v1/moderation/actions", params={"post_id": post["id"]}, headers=auth("nadia")
        )
    ).json()
    assert [(a["action"], a["moderator_id"], a["reason"]) for a in actions["items"]] == [
        ("restore", "bob", "Contexte clarifié"),
        ("hide", "nadia", "Propos blessants envers un collègue"),
    ]
    assert (await client.get("/v1/moderation/actions", headers=auth("olivier"))).status_code == 200
    assert (await client.get("/v1/moderation/actions", headers=auth("david"))).status_code == 403


async def test_a_hidden_comment_is_gone_for_others_and_kept_for_its_author(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await social(client, auth)
    comment = (
        await client.post(
            f"/v1/posts/{post['id']}/comments", json={"body": "Spam"}, headers=auth("bob")
        )
    ).json()
    await client.post(
        f"/v1/posts/{post['id']}/reports",
        json={"reason": "Spam", "comment_id": comment["id"]},
        headers=auth("alice"),
    )

    hidden = await client.post(
        f"/v1/posts/{post['id']}/hide",
        json={"reason": "Publicité", "comment_id": comment["id"]},
        headers=auth("nadia"),
    )

    assert hidden.status_code == 200
    assert hidden.json()["comment_id"] == comment["id"]
    others = (await client.get(f"/v1/posts/{post['id']}/comments", headers=auth("alice"))).json()
    mine = (await client.get(f"/v1/posts/{post['id']}/comments", headers=auth("bob"))).json()
    assert others["items"] == []
    assert mine["items"][0]["hidden_reason"] == "Publicité"
    payload = db.document(
        db.rows(
            "SELECT data AS payload FROM outbox WHERE doc_id = :id ORDER BY id DESC",
            id=comment["id"],
        )[0]["payload"]
    )
    assert "org" not in payload["readers"]
    assert "user:bob" in payload["readers"]
    # The post itself is untouched.
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).json()[
        "state"
    ] == "published"


async def test_bad_moderation_requests(client: httpx.AsyncClient, auth: Auth, db) -> None:
    post = await social(client, auth)
    before = db.counts()
    no_reason = await client.post(f"/v1/posts/{post['id']}/hide", json={}, headers=auth("nadia"))
    not_hidden = await client.post(
        f"/v1/posts/{post['id']}/restore", json={"reason": "Rien"}, headers=auth("nadia")
    )
    unknown = await client.post(
        "/v1/posts/nope/hide", json={"reason": "Rien"}, headers=auth("nadia")
    )
    empty_report = await client.post(
        f"/v1/posts/{post['id']}/reports", json={"reason": ""}, headers=auth("bob")
    )
    assert no_reason.status_code == 422
    assert not_hidden.status_code == 409
    assert unknown.status_code == 404
    assert empty_report.status_code == 422
    assert db.counts() == before


async def test_a_dismissed_report_leaves_the_content_and_is_recorded(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    post = await social(client, auth)
    made = (
        await client.post(
            f"/v1/posts/{post['id']}/reports", json={"reason": "Je n'aime pas"}, headers=auth("bob")
        )
    ).json()

    dismissed = await client.post(
        f"/v1/moderation/reports/{made['id']}/dismiss",
        json={"reason": "Opinion légitime"},
        headers=auth("nadia"),
    )
    again = await client.post(
        f"/v1/moderation/reports/{made['id']}/dismiss",
        json={"reason": "Bis"},
        headers=auth("nadia"),
    )

    assert dismissed.status_code == 200
    assert dismissed.json()["resolution"] == "dismissed"
    assert again.status_code == 409
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).json()[
        "state"
    ] == "published"
