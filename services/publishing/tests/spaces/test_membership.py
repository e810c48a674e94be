"""Joining, leaving and following a space: each person's own standing, asked of policy,
refused with a precise problem and nothing written for every role that may not."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from townhall_contracts import demo

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
PROBLEM = "application/problem+json"
EMPLOYEES = set(demo.EMPLOYEES)


def _follows(db: Any) -> int:
    return int(db.count("space_follows"))


async def _space(client: httpx.AsyncClient, auth: Auth, *, archived: bool = False) -> str:
    space_id = f"club-{uuid.uuid4().hex[:8]}"
    made = await client.post(
        "/v1/spaces",
        json={"id": space_id, "name": "Club", "kind": "community", "visibility": "public"},
        headers=auth("claire"),
    )
    assert made.status_code == 201, made.text
    if archived:
        done = await client.post(f"/v1/spaces/{space_id}/archive", headers=auth("claire"))
        assert done.status_code == 200, done.text
    return space_id


async def test_someone_joins_and_leaves_a_public_community_through_policy(
    client: httpx.AsyncClient, auth: Auth, policy: Any
) -> None:
    before = await client.get("/v1/spaces/cafe", headers=auth("hugo"))
    assert before.json()["member"] is False

    joined = await client.put("/v1/spaces/cafe/membership", headers=auth("hugo"))

    assert joined.status_code == 200, joined.text
    assert joined.json()["member"] is True
    assert policy.grants[-1] == {
        "subject": "hugo",
        "role": "member",
        "domain": "space:cafe",
        "on_behalf_of": "hugo",
        "justification": "Joined the community 'cafe'.",
    }
    assert {"subject": "hugo", "action": "post.social", "domain": "space:cafe"} in (
        policy.decisions
    )
    listed = (await client.get("/v1/spaces", headers=auth("hugo"))).json()["items"]
    assert {s["id"]: s["member"] for s in listed}["cafe"] is True

    left = await client.delete("/v1/spaces/cafe/membership", headers=auth("hugo"))
    assert left.status_code == 200, left.text
    assert left.json()["member"] is False
    assert policy.revocations[-1]["on_behalf_of"] == "hugo"
    again = await client.delete("/v1/spaces/cafe/membership", headers=auth("hugo"))
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["type"].endswith("/not-a-member")


async def test_who_may_join_which_space_every_role(
    client: httpx.AsyncClient, auth: Auth, policy: Any
) -> None:
    """Every demo user against a public community, an announcement channel, a restricted
    community and an archived one: only those who take part join, only public communities."""
    archived = await _space(client, auth, archived=True)
    outcomes: dict[tuple[str, str], int] = {}
    for user in demo.user_ids():
        for space in ("engineering", "general", "projet-phoenix", archived):
            grants = len(policy.grants)
            answer = await client.put(f"/v1/spaces/{space}/membership", headers=auth(user))
            outcomes[(user, space)] = answer.status_code
            if answer.status_code != 200:
                assert answer.headers["content-type"] == PROBLEM, answer.text
                assert len(policy.grants) == grants, (user, space)
    phoenix = {u for u in EMPLOYEES | {"zoe"} if u in ("alice", "bob", "zoe", "olivier")}
    for user in demo.user_ids():
        employee = user in EMPLOYEES
        # A compliance officer changes nothing: policy denies her taking part, so joining.
        expected = 403 if user == "olivier" else 200 if employee else 404
        assert outcomes[(user, "engineering")] == expected, user
        assert outcomes[(user, "general")] == (409 if employee else 404), user
        # A restricted community is not seen by outsiders, and not joined by anyone.
        assert outcomes[(user, "projet-phoenix")] == (409 if user in phoenix else 404), user
        assert outcomes[(user, archived)] == (409 if employee else 404), user
    for user in ("alice", "bob", "david", "farid"):
        await client.delete("/v1/spaces/engineering/membership", headers=auth(user))
    for user in ("alice", "bob", "david", "farid"):
        policy.members["engineering"].add(user)


async def test_policy_s_refusal_to_join_is_answered_as_policy_gave_it(
    client: httpx.AsyncClient, auth: Auth, policy: Any
) -> None:
    policy.overrides[("hugo", "post.social", "space:cafe")] = False
    try:
        refused = await client.put("/v1/spaces/cafe/membership", headers=auth("hugo"))
    finally:
        del policy.overrides[("hugo", "post.social", "space:cafe")]
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["reason"]["missing"] == "post.social in space:cafe"
    assert not any(g["subject"] == "hugo" and g["domain"] == "space:cafe" for g in policy.grants)


async def test_someone_follows_and_unfollows_a_space_they_may_read(
    client: httpx.AsyncClient, auth: Auth, db: Any
) -> None:
    followed = await client.put("/v1/spaces/engineering/follow", headers=auth("david"))
    twice = await client.put("/v1/spaces/engineering/follow", headers=auth("david"))

    assert followed.status_code == 200, followed.text
    assert followed.json()["following"] is True
    assert twice.status_code == 200
    assert db.count("space_follows", "user_id = 'david'") == 1
    listed = (await client.get("/v1/spaces", headers=auth("david"))).json()["items"]
    assert {s["id"] for s in listed if s["following"]} == {"engineering"}
    # One's follows are one's own: another reader sees none.
    other = (await client.get("/v1/spaces", headers=auth("alice"))).json()["items"]
    assert not any(s["following"] for s in other)

    stopped = await client.delete("/v1/spaces/engineering/follow", headers=auth("david"))
    again = await client.delete("/v1/spaces/engineering/follow", headers=auth("david"))
    assert stopped.json()["following"] is False
    assert again.status_code == 200
    assert db.count("space_follows", "user_id = 'david'") == 0


async def test_who_may_follow_which_space_every_role(
    client: httpx.AsyncClient, auth: Auth, db: Any
) -> None:
    archived = await _space(client, auth, archived=True)
    for user in demo.user_ids():
        for space, readers in (
            ("cafe", EMPLOYEES),
            ("projet-phoenix", {"alice", "bob", "zoe", "olivier"}),
            ("hr-confidential", {"chloe", "emma", "olivier"}),
        ):
            answer = await client.put(f"/v1/spaces/{space}/follow", headers=auth(user))
            assert answer.status_code == (200 if user in readers else 404), (user, space)
            if answer.status_code == 404:
                assert answer.headers["content-type"] == PROBLEM
        count = _follows(db)
        refused = await client.put(f"/v1/spaces/{archived}/follow", headers=auth(user))
        assert refused.status_code == (409 if user in EMPLOYEES else 404), user
        assert _follows(db) == count
    unauthenticated = await client.put("/v1/spaces/cafe/follow")
    assert unauthenticated.status_code == 401
    with db.engine.begin() as connection:
        from sqlalchemy import text

        connection.execute(text("DELETE FROM space_follows"))


async def test_joining_and_leaving_against_the_real_policy(
    real_client: httpx.AsyncClient, auth: Auth
) -> None:
    joined = await real_client.put("/v1/spaces/cafe/membership", headers=auth("hugo"))
    assert joined.status_code == 200, joined.text
    seen = await real_client.get("/v1/spaces/cafe", headers=auth("hugo"))
    assert seen.json()["member"] is True
    # zoe takes part in no public community: policy itself would refuse her too.
    assert (
        await real_client.put("/v1/spaces/cafe/membership", headers=auth("zoe"))
    ).status_code == 404
    left = await real_client.delete("/v1/spaces/cafe/membership", headers=auth("hugo"))
    assert left.status_code == 200, left.text
    after = await real_client.get("/v1/spaces/cafe", headers=auth("hugo"))
    assert after.json()["member"] is False
    gone = await real_client.delete("/v1/spaces/cafe/membership", headers=auth("hugo"))
    assert gone.status_code == 409
