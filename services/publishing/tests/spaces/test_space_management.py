"""Owners manage their spaces: rename, change visibility (readers follow), archive,
grant roles through policy; listings per space."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


async def new_space(
    client: httpx.AsyncClient, auth: Auth, space_id: str, owner: str = "claire"
) -> dict[str, Any]:
    made = await client.post(
        "/v1/spaces",
        json={"id": space_id, "name": "Guilde", "kind": "community", "visibility": "public"},
        headers=auth(owner),
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def test_a_visibility_change_re_decides_every_post_and_tells_search(
    client: httpx.AsyncClient, auth: Auth, db, policy
) -> None:
    await new_space(client, auth, "guilde")
    post = (
        await client.post(
            "/v1/posts",
            json={"space_id": "guilde", "kind": "social", "title": "T", "body": "B"},
            headers=auth("alice"),
        )
    ).json()
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("hugo"))).status_code == 200

    changed = await client.patch(
        "/v1/spaces/guilde",
        json={"visibility": "restricted", "name": "Guilde privée"},
        headers=auth("claire"),
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["visibility"] == "restricted"
    assert changed.json()["name"] == "Guilde privée"
    # Policy is told who asked, and checks that they may.
    assert policy.registered["guilde"] == {
        "kind": "community",
        "visibility": "restricted",
        "on_behalf_of": "claire",
    }
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("hugo"))).status_code == 404
    last = db.rows(
        "SELECT data AS payload FROM outbox WHERE doc_id = :id ORDER BY id DESC", id=post["id"]
    )[0]
    assert db.document(last["payload"])["readers"] == ["auditor:org", "space:guilde", "user:alice"]


async def test_a_space_made_restricted_a_moment_ago_takes_posts_only_from_its_members(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    await new_space(client, auth, "cercle")
    social = {"space_id": "cercle", "kind": "social", "title": "T", "body": "B"}
    first = await client.post("/v1/posts", json=social, headers=auth("alice"))
    assert first.status_code == 201, first.text
    changed = await client.patch(
        "/v1/spaces/cercle", json={"visibility": "restricted"}, headers=auth("claire")
    )
    assert changed.status_code == 200, changed.text
    before = db.counts()

    # Refused on the space as it is now (not 403 from policy, as if it were still public).
    outsider = await client.post("/v1/posts", json=social, headers=auth("hugo"))
    assert outsider.status_code == 404, outsider.text
    assert db.counts() == before
    member = await client.post("/v1/posts", json=social, headers=auth("claire"))
    assert member.status_code == 201, member.text
    readers = db.rows(
        "SELECT principal FROM post_readers WHERE post_id = :p ORDER BY principal",
        p=member.json()["id"],
    )
    assert [row["principal"] for row in readers] == [
        "auditor:org",
        "space:cercle",
        "user:claire",
    ]


async def test_only_owners_manage_and_bad_updates_are_refused(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    await new_space(client, auth, "atelier")
    before = db.counts()
    by_member = await client.patch("/v1/spaces/atelier", json={"name": "X"}, headers=auth("alice"))
    empty = await client.patch("/v1/spaces/atelier", json={}, headers=auth("claire"))
    unknown = await client.patch("/v1/spaces/nowhere", json={"name": "X"}, headers=auth("claire"))
    assert by_member.status_code == 403
    assert empty.status_code == 422
    assert unknown.status_code == 404
    assert db.counts() == before


async def test_an_archived_space_stays_readable_and_takes_nothing_new(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await new_space(client, auth, "ancien")
    post = (
        await client.post(
            "/v1/posts",
            json={"space_id": "ancien", "kind": "social", "title": "T", "body": "B"},
            headers=auth("alice"),
        )
    ).json()

    archived = await client.post("/v1/spaces/ancien/archive", headers=auth("claire"))
    assert archived.status_code == 200
    assert archived.json()["archived_by"] == "claire"

    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).status_code == 200
    new_post = await client.post(
        "/v1/posts",
        json={"space_id": "ancien", "kind": "social", "title": "T", "body": "B"},
        headers=auth("alice"),
    )
    new_comment = await client.post(
        f"/v1/posts/{post['id']}/comments", json={"body": "x"}, headers=auth("alice")
    )
    assert new_post.status_code == 409
    assert new_comment.status_code == 409
    assert (
        await client.post("/v1/spaces/ancien/archive", headers=auth("claire"))
    ).status_code == 409
    listed = (await client.get("/v1/spaces", headers=auth("david"))).json()
    assert "ancien" not in [s["id"] for s in listed["items"]]
    everything = (
        await client.get("/v1/spaces", params={"include_archived": "true"}, headers=auth("david"))
    ).json()
    assert "ancien" in [s["id"] for s in everything["items"]]


async def test_owners_grant_roles_through_policy(
    client: httpx.AsyncClient, auth: Auth, policy
) -> None:
    await new_space(client, auth, "club", owner="paul")

    granted = await client.post(
        "/v1/spaces/club/members",
        json={"subject": "hugo", "role": "moderator", "justification": "Anime le club"},
        headers=auth("paul"),
    )
    unknown = await client.post(
        "/v1/spaces/club/members",
        json={"subject": "nobody", "role": "member", "justification": "Pour voir"},
        headers=auth("paul"),
    )
    bad_role = await client.post(
        "/v1/spaces/club/members",
        json={"subject": "hugo", "role": "admin", "justification": "Non"},
        headers=auth("paul"),
    )

    assert granted.status_code == 201, granted.text
    assert {
        "subject": "hugo",
        "role": "moderator",
        "domain": "space:club",
        "on_behalf_of": "paul",
        "justification": "Anime le club",
    } in policy.grants
    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith("/unknown-subject")
    assert bad_role.status_code == 422


async def test_a_space_listing_pages_through_its_posts(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    await new_space(client, auth, "fil")
    made = []
    for number in range(5):
        response = await client.post(
            "/v1/posts",
            json={"space_id": "fil", "kind": "social", "title": f"P{number}", "body": "B"},
            headers=auth("alice"),
        )
        made.append(response.json()["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/v1/spaces/fil/posts", params=params, headers=auth("david"))
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    assert (
        await client.get("/v1/spaces/hr-confidential/posts", headers=auth("david"))
    ).status_code == 404
    assert (
        await client.get(
            "/v1/spaces/fil/posts", params={"cursor": "garbage"}, headers=auth("david")
        )
    ).status_code == 400


async def test_policy_s_refusal_of_a_relayed_grant_is_answered_as_policy_gave_it(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    """Issue 14, case 3: policy decides the grant for the human; publishing passes it on."""
    await new_space(client, auth, "relais")
    before = db.counts()
    policy.grant_refusal = {
        "type": "https://townhall.dev/problems/self-grant",
        "title": "Self-grant refused",
        "status": 403,
        "detail": "claire may not grant moderator in space:relais to themselves",
        "instance": "/internal/v1/grants",
        "subject": "claire",
    }

    refused = await client.post(
        "/v1/spaces/relais/members",
        json={"subject": "claire", "role": "moderator", "justification": "Anime"},
        headers=auth("claire"),
    )

    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("/self-grant")
    assert problem["detail"] == policy.grant_refusal["detail"]
    assert problem["instance"] == "/v1/spaces/relais/members"
    assert db.counts() == before
