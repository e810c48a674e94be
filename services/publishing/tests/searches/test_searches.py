"""Search queries: kept as search reports them, without who searched; read as the
search-success indicator with its privacy floor; dropped after the retention period."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session

from townhall_platform.auth import TokenIssuer
from townhall_publishing.searches.service import drop_expired

from ..objectives.test_objectives_api import create

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
RECORD = "/internal/v1/searches"
INDICATOR = "/v1/indicators/searches"


@pytest.fixture
def as_search(token_issuer: TokenIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_issuer.service_token('search')}"}


async def _searched(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    query: str,
    results: int,
    *,
    at: datetime | None = None,
) -> str:
    search_id = uuid.uuid4().hex
    body = {
        "search_id": search_id,
        "query": query,
        "results": results,
        "at": (at or datetime.now(UTC)).isoformat(),
    }
    answer = await client.post(RECORD, json=body, headers=headers)
    assert answer.status_code == 204, answer.text
    return search_id


async def test_search_success_and_the_queries_that_found_nothing(
    client: httpx.AsyncClient, auth: Auth, as_search: dict[str, str]
) -> None:
    # From now: searches other tests kept before are out of the period.
    since = datetime.now(UTC)
    found = [await _searched(client, as_search, "Cantine", 3) for _ in range(6)]
    for _ in range(5):
        await _searched(client, as_search, "  Mutuelle   DENTAIRE ", 0)
    for _ in range(4):
        # Asked four times only: under the floor of five, never listed.
        await _searched(client, as_search, "plainte contre Marc", 0)
    for search_id in found[:3] + found[:1]:
        opened = await client.post(f"{RECORD}/{search_id}/opened", headers=as_search)
        assert opened.status_code == 204, opened.text

    answer = await client.get(
        INDICATOR, params={"since": since.isoformat()}, headers=auth("claire")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["searches"], body["opened"]) == (15, 3)
    assert body["success"] == pytest.approx(3 / 15)
    assert body["missed"] == [{"query": "mutuelle dentaire", "searches": 5}]
    assert body["missed_floor"] == 5


async def test_no_share_over_fewer_searches_than_the_floor(
    client: httpx.AsyncClient, auth: Auth, as_search: dict[str, str]
) -> None:
    # From now: searches other tests kept before are out of the period.
    since = datetime.now(UTC)
    for _ in range(4):
        await _searched(client, as_search, "cantine", 1)
    body = (
        await client.get(INDICATOR, params={"since": since.isoformat()}, headers=auth("claire"))
    ).json()
    assert (body["searches"], body["success"], body["missed"]) == (4, None, [])


async def test_searches_are_kept_without_anyone_named(engine: Engine) -> None:
    columns = {c["name"] for c in inspect(engine).get_columns("search_queries")}
    assert columns == {"id", "query", "results", "at", "opened_at"}


async def test_refusals_for_every_role(
    client: httpx.AsyncClient, auth: Auth, as_search: dict[str, str]
) -> None:
    body = {"search_id": "abcdefgh12", "query": "x", "results": 0, "at": "2026-12-07T10:00:00Z"}
    assert (await client.post(RECORD, json=body)).status_code == 401
    # A user cannot write searches, not even as someone else's: service tokens only.
    assert (await client.post(RECORD, json=body, headers=auth("claire"))).status_code == 403
    assert (
        await client.post(f"{RECORD}/abcdefgh12/opened", headers=auth("claire"))
    ).status_code == 403
    bad = await client.post(RECORD, json={**body, "user_id": "david"}, headers=as_search)
    assert bad.status_code == 422
    missing = await client.post(f"{RECORD}/never-searched/opened", headers=as_search)
    assert missing.status_code == 404
    assert missing.json()["type"].endswith("search-not-found")
    assert (await client.get(INDICATOR)).status_code == 401
    assert (await client.get(INDICATOR, headers=auth("farid"))).status_code == 403
    empty = await client.get(
        INDICATOR,
        params={"since": "2026-12-07T10:00:00Z", "until": "2026-12-07T09:00:00Z"},
        headers=auth("claire"),
    )
    assert empty.status_code == 422


async def test_searches_past_the_retention_are_dropped(
    client: httpx.AsyncClient, auth: Auth, as_search: dict[str, str], engine: Engine
) -> None:
    now = datetime.now(UTC)
    old = await _searched(client, as_search, "ancien", 0, at=now - timedelta(days=91))
    recent = await _searched(client, as_search, "récent", 0, at=now - timedelta(days=89))
    with Session(engine) as session:
        assert drop_expired(session=session, now=now, retention_days=90) >= 1
        session.commit()
    assert (await client.post(f"{RECORD}/{old}/opened", headers=as_search)).status_code == 404
    assert (await client.post(f"{RECORD}/{recent}/opened", headers=as_search)).status_code == 204


async def test_the_collection_page_lists_search_queries_and_their_retention(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    collected = (await client.get("/v1/metrics/collection", headers=auth("farid"))).json()
    searches = [c for c in collected if c["what"].startswith("Search queries")]
    assert len(searches) == 1
    assert searches[0]["kept"].startswith("90 days")
    assert searches[0]["names_a_person"] is False


async def test_a_search_success_objective_is_company_wide_with_no_breakdown(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    fields = {"metric": "search_success", "target": 0.6}
    refused = await create(
        client, auth, **fields, window=None, scope={"kind": "space", "id": "cafe"}
    )
    assert refused.status_code == 422, refused.text
    created = await create(client, auth, **fields, window=None)
    assert created.status_code == 201, created.text
    path = f"/v1/objectives/{created.json()['id']}/series?by=department"
    cells = (await client.get(path, headers=auth("claire"))).json()["breakdown"]
    assert cells and all(c["suppressed"] and c["value"] is None for c in cells)
