"""GET /internal/v1/export/documents: every post and comment, with versions, for reindexing."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from townhall_platform.auth import TokenIssuer

pytestmark = pytest.mark.anyio

EXPORT = "/internal/v1/export/documents"
PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def as_search(token_issuer: TokenIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_issuer.service_token('search')}"}


async def _post(client: httpx.AsyncClient, auth: Auth, user: str, space: str, title: str) -> str:
    response = await client.post(
        "/v1/posts",
        json={"space_id": space, "kind": "social", "title": title, "body": "Corps du texte"},
        headers=auth(user),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _export_all(client: httpx.AsyncClient, headers: dict[str, str], limit: int) -> list[dict]:
    documents: list[dict] = []
    after = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if after:
            params["after"] = after
        response = await client.get(EXPORT, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        documents += page["documents"]
        assert page["total"] >= len(documents)
        after = page["next_after"]
        if after is None:
            return documents


async def test_pages_cover_every_post_and_comment_once(
    client: httpx.AsyncClient, auth: Auth, as_search
) -> None:
    public = await _post(client, auth, "alice", "engineering", "Export public")
    restricted = await _post(client, auth, "alice", "projet-phoenix", "Export restreint")
    comment = await client.post(
        f"/v1/posts/{restricted}/comments", json={"body": "Bien vu"}, headers=auth("zoe")
    )
    assert comment.status_code == 201

    documents = await _export_all(client, as_search, limit=2)

    by_id = {d["document"]["id"]: d for d in documents}
    assert len(by_id) == len(documents)
    last = await client.get(EXPORT, params={"limit": 1}, headers=as_search)
    assert last.json()["total"] == len(documents)
    assert by_id[public]["version"] == 1
    assert by_id[public]["document"]["readers"] == ["auditor:org", "org", "user:alice"]
    assert by_id[restricted]["document"]["readers"] == [
        "auditor:org",
        "space:projet-phoenix",
        "user:alice",
    ]
    exported_comment = by_id[comment.json()["id"]]["document"]
    assert exported_comment["doc_type"] == "comment"
    assert exported_comment["post_id"] == restricted
    # The post's audience: its author reads the discussion only as a member of the space.
    assert exported_comment["readers"] == ["auditor:org", "space:projet-phoenix"]


async def test_a_large_page_and_a_small_page_agree(
    client: httpx.AsyncClient, auth: Auth, as_search
) -> None:
    await _post(client, auth, "bob", "cafe", "Encore un")

    small = await _export_all(client, as_search, limit=1)
    large = await _export_all(client, as_search, limit=5000)

    assert small == large


async def test_service_tokens_only(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await client.get(EXPORT, headers=auth("paul"))).status_code == 403
    assert (await client.get(EXPORT)).status_code == 401


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 5001}, {"limit": "x"}, {"after": ""}, {"after": "x" * 81}]
)
async def test_bad_parameters_are_422(client: httpx.AsyncClient, as_search, params) -> None:
    response = await client.get(EXPORT, params=params, headers=as_search)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_a_forged_cursor_is_400(client: httpx.AsyncClient, as_search) -> None:
    response = await client.get(EXPORT, params={"after": "space:general"}, headers=as_search)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("/invalid-export-cursor")


SUMMARY = "/internal/v1/export/summary"


async def test_the_summary_counts_the_documents_the_outbox_names(
    client: httpx.AsyncClient, auth: Auth, as_search
) -> None:
    first = await _post(client, auth, "alice", "engineering", "Résumé un")
    before = (await client.get(SUMMARY, headers=as_search)).json()
    await _post(client, auth, "alice", "engineering", "Résumé deux")
    edited = await client.patch(
        f"/v1/posts/{first}", json={"title": "Résumé un, revu"}, headers=auth("alice")
    )
    assert edited.status_code == 200, edited.text
    head = (await client.get(SUMMARY, headers=as_search)).json()["head"]

    at_head = await client.get(SUMMARY, params={"through": head}, headers=as_search)
    at_before = await client.get(SUMMARY, params={"through": before["head"]}, headers=as_search)

    assert at_head.status_code == 200, at_head.text
    documents = await _export_all(client, as_search, limit=5000)
    # Every document was named by an event; an edit names the same document again.
    assert at_head.json()["documents_through"] == len(documents)
    assert at_before.json()["documents_through"] == len(documents) - 1
    assert 0 <= at_head.json()["delivered_through"] <= head


async def test_the_summary_is_for_services_only(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await client.get(SUMMARY, headers=auth("paul"))).status_code == 403
    assert (await client.get(SUMMARY)).status_code == 401


@pytest.mark.parametrize("through", [-1, "x", 2**63])
async def test_a_bad_watermark_is_422(client: httpx.AsyncClient, as_search, through) -> None:
    response = await client.get(SUMMARY, params={"through": through}, headers=as_search)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
