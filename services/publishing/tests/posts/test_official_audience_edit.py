"""An official draft's audience changes with an edit; readers follow; others are refused."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


async def _draft(client: httpx.AsyncClient, auth: Auth) -> dict[str, object]:
    body = {
        "space_id": "general",
        "kind": "official",
        "title": "Annonce",
        "body": "Texte",
        "audience_groups": ["lyon"],
    }
    response = await client.post("/v1/posts", json=body, headers=auth("claire"))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_author_changes_a_drafts_audience_and_its_version_follows(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    draft = await _draft(client, auth)
    path = f"/v1/posts/{draft['id']}"

    edited = await client.patch(
        path, json={"audience_groups": ["paris", "paris"]}, headers=auth("claire")
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["audience_groups"] == ["paris"]
    assert edited.json()["title"] == "Annonce"
    [row] = db.rows("SELECT audience_groups, version FROM posts WHERE id = :id", id=draft["id"])
    assert db.json(row["audience_groups"]) == ["paris"]
    assert row["version"] == 2
    # Back to every reader of the space: an empty list, not a missing field.
    everyone = await client.patch(path, json={"audience_groups": []}, headers=auth("claire"))
    assert everyone.status_code == 200
    assert everyone.json()["audience_groups"] == []


async def test_an_audience_edit_is_refused_to_others_and_on_social_posts(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    draft = await _draft(client, auth)
    social = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "Hi", "body": "Salut"},
        headers=auth("alice"),
    )
    before = db.counts()
    change = {"audience_groups": ["paris"]}

    # An approver and an employee do not see a draft; compliance reads it, edits nothing.
    for other, status in (("marc", 404), ("alice", 404), ("olivier", 403)):
        answer = await client.patch(f"/v1/posts/{draft['id']}", json=change, headers=auth(other))
        assert answer.status_code == status, (other, answer.text)
        assert answer.headers["content-type"] == PROBLEM
    on_social = await client.patch(
        f"/v1/posts/{social.json()['id']}", json=change, headers=auth("alice")
    )
    assert on_social.status_code == 422
    assert on_social.json()["type"].endswith("invalid-audience")
    malformed = await client.patch(
        f"/v1/posts/{draft['id']}",
        json={"audience_groups": ["Not A Group"]},
        headers=auth("claire"),
    )
    assert malformed.status_code == 422
    assert db.counts() == before
