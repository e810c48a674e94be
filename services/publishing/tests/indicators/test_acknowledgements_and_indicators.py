"""Acknowledgement of official posts, and the indicators over a period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..conftest import publish_official_post

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
SALES = ["david", "gaelle"]


async def test_each_reader_acknowledges_once_and_staff_see_who_has_not(
    client: httpx.AsyncClient, auth: Auth, official, db
) -> None:
    # Policy expands the audience: nobody needs to have used publishing before.
    post = await official(audience_groups=["sales"], requires_acknowledgement=True)
    path = f"/v1/posts/{post['id']}"

    first = await client.post(f"{path}/acknowledge", headers=auth("david"))
    before = db.counts()
    twice = await client.post(f"{path}/acknowledge", headers=auth("david"))
    outsider = await client.post(f"{path}/acknowledge", headers=auth("alice"))

    assert first.status_code == 201, first.text
    assert twice.status_code == 409
    assert twice.json()["type"].endswith("/already-done")
    assert outsider.status_code == 404  # not in the audience: not even readable
    assert db.counts() == before

    report = (await client.get(f"{path}/acknowledgements", headers=auth("claire"))).json()
    assert report["audience"] == 2
    assert report["acknowledged"] == 1
    assert report["pending"] == 1
    assert report["rate"] == 0.5
    assert report["pending_subjects"] == ["gaelle"]
    assert [a["user_id"] for a in report["acknowledged_by"]] == ["david"]
    assert (await client.get(f"{path}/acknowledgements", headers=auth("david"))).status_code == 403


async def test_acknowledging_what_does_not_ask_for_it_is_refused(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    post = await official()
    response = await client.post(f"/v1/posts/{post['id']}/acknowledge", headers=auth("alice"))
    assert response.status_code == 409
    social = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "T", "body": "B"},
        headers=auth("alice"),
    )
    assert (
        await client.post(f"/v1/posts/{social.json()['id']}/acknowledge", headers=auth("bob"))
    ).status_code == 422


async def test_indicators_count_activity_reach_acknowledgement_and_replies(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    since = datetime.now(UTC)
    for user in ("alice", "bob", "chloe", "david", "emma", "farid", "gaelle", "hugo"):
        await client.get("/v1/feed", headers=auth(user))
    post = await official(requires_acknowledgement=True, audience_groups=["sales"])
    await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))
    await client.post(f"/v1/posts/{post['id']}/acknowledge", headers=auth("david"))
    answered = await client.post(
        "/v1/posts",
        json={"space_id": "cafe", "kind": "social", "title": "Q", "body": "?"},
        headers=auth("farid"),
    )
    await client.post(
        "/v1/posts",
        json={"space_id": "cafe", "kind": "social", "title": "R", "body": "!"},
        headers=auth("emma"),
    )
    await client.post(
        f"/v1/posts/{answered.json()['id']}/comments", json={"body": "Oui"}, headers=auth("chloe")
    )

    params = {"space_id": "cafe", "since": since.isoformat()}
    cafe = (await client.get("/v1/indicators", params=params, headers=auth("claire"))).json()
    assert cafe["posts_by_kind"] == {"social": 2, "official": 0}
    assert cafe["comments_by_kind"] == {"social": 1, "official": 0}
    assert cafe["active_contributors"] == 3
    assert cafe["social_posts_with_reply"] == 1
    assert cafe["social_reply_share"] == 0.5

    company = (
        await client.get(
            "/v1/indicators", params={"since": since.isoformat()}, headers=auth("marc")
        )
    ).json()
    assert company["posts_by_kind"]["official"] == 1
    assert company["official_reach"] == {"posts": 1, "audience": 2, "readers": 1, "rate": 0.5}
    ack = company["acknowledgement"]
    assert (ack["posts"], ack["expected"], ack["acknowledged"], ack["rate"]) == (1, 2, 1, 0.5)
    assert ack["median_seconds_to_acknowledge"] >= 0

    # The owner of a space sees its indicators; an employee does not.
    assert (
        await client.get("/v1/indicators", params={"space_id": "cafe"}, headers=auth("farid"))
    ).status_code == 200
    assert (await client.get("/v1/indicators", headers=auth("farid"))).status_code == 403
    bad = await client.get(
        "/v1/indicators",
        params={"since": "2030-01-01T00:00:00+00:00", "until": "2029-01-01T00:00:00+00:00"},
        headers=auth("claire"),
    )
    assert bad.status_code == 422
    naive = await client.get(
        "/v1/indicators", params={"since": "2025-01-01T00:00:00"}, headers=auth("claire")
    )
    assert naive.status_code == 422
    unknown = await client.get(
        "/v1/indicators", params={"space_id": "nowhere"}, headers=auth("claire")
    )
    assert unknown.status_code == 404


def _by_id(page: httpx.Response) -> dict[str, dict[str, object]]:
    assert page.status_code == 200, page.text
    return {item["id"]: item for item in page.json()["items"]}


async def test_the_feed_tells_each_reader_whether_they_acknowledged(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    for user in SALES:
        await client.get("/v1/feed", headers=auth(user))
    post = await official(audience_groups=["sales"], requires_acknowledgement=True)

    assert (
        _by_id(await client.get("/v1/feed", headers=auth("david")))[post["id"]]["acknowledged"]
        is False
    )
    acked = await client.post(f"/v1/posts/{post['id']}/acknowledge", headers=auth("david"))
    assert acked.status_code == 201, acked.text

    david = _by_id(await client.get("/v1/feed", headers=auth("david")))
    gaelle = _by_id(await client.get("/v1/feed", headers=auth("gaelle")))
    in_space = _by_id(await client.get("/v1/spaces/general/posts", headers=auth("david")))
    one = (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).json()
    assert david[post["id"]]["acknowledged"] is True
    assert gaelle[post["id"]]["acknowledged"] is False
    assert in_space[post["id"]]["acknowledged"] is True
    assert one["acknowledged"] is True


async def test_the_acknowledged_flag_costs_no_query_per_post(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    statements: list[str] = []

    # Only statements reading acknowledgements: the relay and the scheduler run their own
    # queries on the same engine meanwhile, and would make a count of everything flaky.
    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "acknowledgements" in statement:
            statements.append(statement)

    for user in SALES:
        await client.get("/v1/feed", headers=auth(user))

    async def feed_statements() -> int:
        statements.clear()
        event.listen(Engine, "before_cursor_execute", count)
        try:
            page = await client.get("/v1/feed", headers=auth("david"))
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert page.status_code == 200
        return len(statements)

    mine = []
    for _ in range(4):
        post = await official(audience_groups=["sales"], requires_acknowledgement=True)
        await client.post(f"/v1/posts/{post['id']}/acknowledge", headers=auth("david"))
        mine.append(post["id"])
        if len(mine) == 1:
            with_one = await feed_statements()
    with_four = await feed_statements()

    page = _by_id(await client.get("/v1/feed", headers=auth("david")))
    assert all(page[post_id]["acknowledged"] is True for post_id in mine)
    assert with_four == with_one == 1


async def test_the_audience_comes_from_the_real_policy_directory(
    real_client: httpx.AsyncClient, auth: Auth
) -> None:
    # Nobody of the audience used publishing: policy expands `group:sales` itself.
    post = await publish_official_post(
        real_client, auth, audience_groups=["sales"], requires_acknowledgement=True
    )
    path = f"/v1/posts/{post['id']}"
    acknowledged = await real_client.post(f"{path}/acknowledge", headers=auth("gaelle"))
    assert acknowledged.status_code == 201, acknowledged.text

    report = (await real_client.get(f"{path}/acknowledgements", headers=auth("claire"))).json()
    assert (report["audience"], report["acknowledged"], report["rate"]) == (2, 1, 0.5)
    assert report["pending_subjects"] == ["david"]
    company = (await real_client.get("/v1/indicators", headers=auth("claire"))).json()
    assert company["official_reach"]["audience"] >= 2
