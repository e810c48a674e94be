"""Cached policy answers against the real policy service: a revocation takes effect.

Publishing reuses decisions and principals only at the policy revision it confirmed;
`real_settings` confirms it on every request, so the request right after a revocation
already sees it (in production within `policy_revision_check_seconds`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from .conftest import Database

pytestmark = pytest.mark.anyio
PHOENIX = "projet-phoenix"


@pytest.fixture
def policy_admin(
    real_policy_url: str, auth: Callable[[str], dict[str, str]]
) -> Iterator[httpx.Client]:
    """Paul at the real policy; zoe's membership of Phoenix is given back afterwards
    (the policy service is shared by the module's tests, on both databases)."""
    with httpx.Client(base_url=real_policy_url, headers=auth("paul")) as policy:
        yield policy
        regrant = policy.post(
            "/v1/grants",
            json={
                "subject": "zoe",
                "role": "member",
                "domain": f"space:{PHOENIX}",
                "justification": "Back on the project",
            },
        )
        assert regrant.status_code in (200, 201), regrant.text


def _revoke_memberships(policy: httpx.Client, subject: str) -> None:
    grants = policy.get("/v1/grants", params={"subject": subject, "domain": f"space:{PHOENIX}"})
    assert grants.status_code == 200, grants.text
    active = [g for g in grants.json()["grants"] if g["active"]]
    assert active
    for grant in active:
        revoked = policy.request(
            "DELETE", f"/v1/grants/{grant['id']}", json={"justification": "Left the project"}
        )
        assert revoked.status_code == 200, revoked.text


async def _feed(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    feed = await client.get("/v1/feed", params={"limit": 100}, headers=headers)
    assert feed.status_code == 200, feed.text
    return {item["id"] for item in feed.json()["items"]}


async def test_revoked_member_can_no_longer_post_nor_read_the_space(
    real_client: httpx.AsyncClient,
    policy_admin: httpx.Client,
    auth: Callable[[str], dict[str, str]],
    db: Database,
) -> None:
    post = {"space_id": PHOENIX, "kind": "social", "title": "Jalon", "body": "Livré."}
    first = await real_client.post("/v1/posts", json=post, headers=auth("zoe"))
    second = await real_client.post("/v1/posts", json=post, headers=auth("zoe"))
    by_bob = await real_client.post("/v1/posts", json=post, headers=auth("bob"))
    assert first.status_code == second.status_code == by_bob.status_code == 201, second.text
    assert by_bob.json()["id"] in await _feed(real_client, auth("zoe"))
    # Each post keeps the decision (id, revision) that allowed it, cached or not.
    rows = db.rows(
        "SELECT decision_id, policy_revision FROM posts WHERE space_id = :space",
        space=PHOENIX,
    )
    assert len(rows) == 3 and all(r["decision_id"] and r["policy_revision"] for r in rows)

    _revoke_memberships(policy_admin, "zoe")

    refused = await real_client.post("/v1/posts", json=post, headers=auth("zoe"))
    # A restricted space one may not read is not disclosed: refused as unknown.
    assert refused.status_code == 404, refused.text
    assert by_bob.json()["id"] not in await _feed(real_client, auth("zoe"))
    assert by_bob.json()["id"] in await _feed(real_client, auth("bob"))
    assert db.count("posts", "space_id = :space", space=PHOENIX) == 3
