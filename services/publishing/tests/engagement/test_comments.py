"""Comments: on readable posts only, decided by policy, read like their post."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


async def publish(client: httpx.AsyncClient, auth: Auth, user: str, space: str) -> str:
    response = await client.post(
        "/v1/posts",
        json={"space_id": space, "kind": "social", "title": "Sujet", "body": "Discussion"},
        headers=auth(user),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_comment_is_written_with_its_outbox_event_and_the_post_audience(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    post_id = await publish(client, auth, "alice", "projet-phoenix")

    response = await client.post(
        f"/v1/posts/{post_id}/comments", json={"body": " Bien vu. "}, headers=auth("zoe")
    )

    assert response.status_code == 201, response.text
    comment = response.json()
    assert comment["post_id"] == post_id
    assert comment["author_id"] == "zoe"
    assert comment["body"] == "Bien vu."
    assert comment["state"] == "published"
    assert comment["decision_id"].startswith("dec-")
    assert policy.decisions[-1] == {
        "subject": "zoe",
        "action": "comment",
        "domain": "space:projet-phoenix",
    }
    [post] = db.rows("SELECT readers FROM posts WHERE id = :id", id=post_id)
    [stored] = db.rows("SELECT readers FROM comments WHERE id = :id", id=comment["id"])
    # The post's readers but its author's own token: alice reads the discussion as a
    # member of the space only (a revoked member stops reading it).
    assert db.json(post["readers"]) == ["auditor:org", "space:projet-phoenix", "user:alice"]
    assert db.json(stored["readers"]) == ["auditor:org", "space:projet-phoenix"]
    [event] = db.rows("SELECT * FROM outbox WHERE doc_id = :id", id=comment["id"])
    payload = db.document(event["data"])
    assert payload["doc_type"] == "comment"
    assert payload["post_id"] == post_id
    assert payload["readers"] == ["auditor:org", "space:projet-phoenix"]
    assert event["version"] == 1


async def test_comment_on_an_unreadable_post_is_not_found(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    post_id = await publish(client, auth, "chloe", "hr-confidential")
    before = db.counts()
    decisions = len(policy.decisions)

    response = await client.post(
        f"/v1/posts/{post_id}/comments", json={"body": "Hello"}, headers=auth("david")
    )
    missing = await client.post(
        "/v1/posts/no-such-post/comments", json={"body": "Hello"}, headers=auth("david")
    )

    assert response.status_code == missing.status_code == 404
    assert response.json()["type"] == missing.json()["type"]
    assert len(policy.decisions) == decisions
    assert db.counts() == before


async def test_comment_refused_by_policy_is_403_and_writes_nothing(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    post_id = await publish(client, auth, "bob", "engineering")
    policy.overrides[("hugo", "comment", "space:engineering")] = False
    before = db.counts()

    response = await client.post(
        f"/v1/posts/{post_id}/comments", json={"body": "Hello"}, headers=auth("hugo")
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["reason"]["missing"] == "comment in space:engineering"
    assert db.counts() == before


async def test_comment_policy_outage_fails_closed(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    post_id = await publish(client, auth, "bob", "engineering")
    before = db.counts()
    policy.available = False

    response = await client.post(
        f"/v1/posts/{post_id}/comments", json={"body": "Hello"}, headers=auth("alice")
    )

    assert response.status_code == 503
    assert db.counts() == before


async def test_comment_body_is_validated(client: httpx.AsyncClient, auth: Auth, db) -> None:
    post_id = await publish(client, auth, "bob", "engineering")
    before = db.counts()

    for body in ({"body": ""}, {"body": "   "}, {"body": "c" * 5001}, {"text": "hi"}, {}):
        response = await client.post(
            f"/v1/posts/{post_id}/comments", json=body, headers=auth("alice")
        )
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
    assert db.counts() == before
