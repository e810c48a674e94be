"""The indicators over a period against the period of the same length before it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from townhall_contracts.demo import USERS
from townhall_contracts.publishing.indicators import IndicatorChange

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


async def _social(client: httpx.AsyncClient, auth: Auth, user: str, title: str) -> None:
    made = await client.post(
        "/v1/posts",
        json={"space_id": "cafe", "kind": "social", "title": title, "body": "Texte"},
        headers=auth(user),
    )
    assert made.status_code == 201, made.text


async def test_this_period_against_the_previous_one_as_json_and_csv(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    started = datetime.now(UTC)
    await _social(client, auth, "farid", "Avant")
    middle = datetime.now(UTC)
    for user, title in (("emma", "Après"), ("chloe", "Encore"), ("farid", "Et encore")):
        await _social(client, auth, user, title)
    # The period runs from `middle` for longer than the span before it since `started`,
    # so the previous period (as long, ending at `middle`) holds the first post.
    until = middle + (middle - started) + timedelta(minutes=1)
    params = {"space_id": "cafe", "since": middle.isoformat(), "until": until.isoformat()}
    answer = await client.get("/v1/indicators/comparison", params=params, headers=auth("claire"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert datetime.fromisoformat(body["previous_since"]) == middle - (until - middle)
    changes = {c["indicator"]: c for c in body["changes"]}
    assert changes["social_posts"] == {
        "indicator": "social_posts", "current": 3, "previous": 1, "change": 2
    }  # fmt: skip
    assert changes["active_contributors"]["current"] == 3
    assert changes["active_contributors"]["previous"] == 1
    assert changes["official_reach_rate"]["change"] is None  # no official post either side

    exported = await client.get(
        "/v1/indicators/comparison", params={**params, "format": "csv"}, headers=auth("claire")
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(rows[0]) == list(IndicatorChange.model_fields)
    assert [r["indicator"] for r in rows] == list(changes)
    assert (float(rows[0]["current"]), float(rows[0]["previous"])) == (3, 1)


async def test_every_role_is_answered_as_for_the_indicators(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    seen: dict[tuple[str, str], int] = {}
    for user in USERS:
        for params in ({}, {"space_id": "cafe"}, {"space_id": "hr-confidential"}):
            plain = await client.get("/v1/indicators", params=params, headers=auth(user.id))
            compared = await client.get(
                "/v1/indicators/comparison", params=params, headers=auth(user.id)
            )
            assert compared.status_code == plain.status_code, (user.id, params)
            if compared.status_code != 200:
                assert compared.headers["content-type"].startswith("application/problem+json")
            seen[(user.id, params.get("space_id", ""))] = compared.status_code
    assert seen[("claire", "")] == seen[("olivier", "")] == 200
    assert seen[("farid", "")] == 403 and seen[("farid", "cafe")] == 200  # cafe's owner
    assert seen[("alice", "")] == 403
    assert seen[("alice", "hr-confidential")] == 404  # a space she cannot see


async def test_comparison_refusals(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await client.get("/v1/indicators/comparison")).status_code == 401
    for params in (
        {"since": "2030-01-01T00:00:00+00:00", "until": "2029-01-01T00:00:00+00:00"},
        {"since": "2025-01-01T00:00:00"},
        {"since": "2020-01-01T00:00:00+00:00", "until": "2025-01-01T00:00:00+00:00"},
        {"format": "xlsx"},
    ):
        bad = await client.get("/v1/indicators/comparison", params=params, headers=auth("claire"))
        assert bad.status_code == 422, params
        assert bad.headers["content-type"].startswith("application/problem+json")
    unknown = await client.get(
        "/v1/indicators/comparison", params={"space_id": "nowhere"}, headers=auth("claire")
    )
    assert unknown.status_code == 404
