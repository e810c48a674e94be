"""Policy unavailable: every mutating endpoint fails closed with 503, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from townhall_publishing.settings import PublishingSettings

from .conftest import publish_official_post

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


async def _social(client: httpx.AsyncClient, auth: Auth) -> str:
    made = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "T", "body": "B"},
        headers=auth("alice"),
    )
    return str(made.json()["id"])


async def _submitted(client: httpx.AsyncClient, auth: Auth) -> str:
    made = await client.post(
        "/v1/posts",
        json={"space_id": "general", "kind": "official", "title": "T", "body": "B"},
        headers=auth("claire"),
    )
    post_id = str(made.json()["id"])
    await client.post(f"/v1/posts/{post_id}/submit", headers=auth("claire"))
    return post_id


async def _comment(client: httpx.AsyncClient, auth: Auth) -> tuple[str, str]:
    post_id = await _social(client, auth)
    made = await client.post(
        f"/v1/posts/{post_id}/comments", json={"body": "c"}, headers=auth("alice")
    )
    return post_id, str(made.json()["id"])


async def social_post(c, a):
    return (
        "alice",
        "POST",
        "/v1/posts",
        {"space_id": "engineering", "kind": "social", "title": "T", "body": "B"},
    )


async def space(c, a):
    return (
        "bob",
        "POST",
        "/v1/spaces",
        {"id": "outage", "name": "O", "kind": "community", "visibility": "public"},
    )


async def edit(c, a):
    return "alice", "PATCH", f"/v1/posts/{await _social(c, a)}", {"body": "x"}


async def delete(c, a):
    return "alice", "DELETE", f"/v1/posts/{await _social(c, a)}", None


async def approve(c, a):
    return "marc", "POST", f"/v1/posts/{await _submitted(c, a)}/approve", None


async def reject(c, a):
    return "marc", "POST", f"/v1/posts/{await _submitted(c, a)}/reject", {"reason": "Non"}


async def retract(c, a):
    post = await publish_official_post(c, a)
    return "claire", "POST", f"/v1/posts/{post['id']}/retract", {"reason": "Erreur"}


async def acknowledge(c, a):
    post = await publish_official_post(c, a, requires_acknowledgement=True)
    return "bob", "POST", f"/v1/posts/{post['id']}/acknowledge", None


async def comment(c, a):
    return "bob", "POST", f"/v1/posts/{await _social(c, a)}/comments", {"body": "x"}


async def edit_comment(c, a):
    post_id, comment_id = await _comment(c, a)
    return "alice", "PATCH", f"/v1/posts/{post_id}/comments/{comment_id}", {"body": "y"}


async def react(c, a):
    return "bob", "POST", f"/v1/posts/{await _social(c, a)}/reactions", {"kind": "like"}


async def report(c, a):
    return "bob", "POST", f"/v1/posts/{await _social(c, a)}/reports", {"reason": "Spam"}


async def hide(c, a):
    return "nadia", "POST", f"/v1/posts/{await _social(c, a)}/hide", {"reason": "Spam"}


async def pin(c, a):
    return "claire", "POST", f"/v1/posts/{await _social(c, a)}/pin", None


async def endorse(c, a):
    return "claire", "POST", f"/v1/posts/{await _social(c, a)}/endorse", None


STEPS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        social_post,
        space,
        edit,
        delete,
        approve,
        reject,
        retract,
        acknowledge,
        comment,
        edit_comment,
        react,
        report,
        hide,
        pin,
        endorse,
    )
}


@pytest.mark.parametrize("name", list(STEPS))
async def test_policy_down_is_503_and_nothing_is_written(
    client: httpx.AsyncClient, auth: Auth, policy, db, name: str
) -> None:
    user, method, path, body = await STEPS[name](client, auth)
    before = db.counts()
    policy.available = False

    response = await client.request(method, path, json=body, headers=auth(user))

    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert db.counts() == before


async def test_with_answers_cached_policy_down_still_fails_closed(
    make_app: Callable[[PublishingSettings], FastAPI],
    settings: PublishingSettings,
    serve: Callable[..., Any],
    auth: Auth,
    policy,
    db,
) -> None:
    # The cache on, confirming the revision on every request: the same post and the
    # same feed read were answered from it a moment ago, yet nothing goes without policy.
    cached = settings.model_copy(
        update={"policy_cache_seconds": 1.0, "policy_revision_check_seconds": 0.0}
    )
    post = {"space_id": "engineering", "kind": "social", "title": "T", "body": "B"}
    async with serve(make_app(cached)) as client:
        for _ in range(2):
            created = await client.post("/v1/posts", json=post, headers=auth("alice"))
            assert created.status_code == 201, created.text
            assert (await client.get("/v1/feed", headers=auth("alice"))).status_code == 200
        assert policy.decision_count() == 1  # the second creation reused the decision
        before = db.counts()
        policy.available = False

        refused = await client.post("/v1/posts", json=post, headers=auth("alice"))
        feed = await client.get("/v1/feed", headers=auth("alice"))

    assert refused.status_code == feed.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert db.counts() == before
