"""Every route of the API, taken from the app itself: no credentials is 401, and
nonsense from an authenticated client is a precise 4xx, never a 500, writing nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
PROBLEM = "application/problem+json"


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every documented `/v1/` operation."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/v1/")
        for method in operations
    ]


def fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


async def test_every_route_refuses_a_missing_token(
    app: FastAPI, client: httpx.AsyncClient, db
) -> None:
    routes = api_routes(app)
    assert len(routes) >= 35
    before = db.counts()
    for method, path in routes:
        response = await client.request(method, fill(path, "x"), json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"] == PROBLEM
    assert db.counts() == before


@pytest.mark.parametrize(
    "value", ["00000000-0000-0000-0000-000000000000", "x" * 300, "%E2%80%AE", "like"]
)
async def test_nonsense_is_a_precise_4xx_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth, db, value: str
) -> None:
    before = db.counts()
    for method, path in api_routes(app):
        for body in (None, [], {"reason": "x" * 5000, "body": 3}, {"unknown": True}):
            response = await client.request(
                method, fill(path, value), json=body, headers=auth("nadia")
            )
            context = (method, path, body, response.text)
            if method == "GET":
                # Reads ignore a body; an unknown id in the path is a 404. The Atom feeds
                # take a feed token, not the bearer token: without one they are 401 first.
                assert response.status_code < 500, context
                if "{" in path:
                    expected = 401 if path.startswith("/v1/feeds/") else 404
                    assert response.status_code == expected, context
            else:
                assert 400 <= response.status_code < 500, context
            if response.status_code >= 400:
                assert response.headers["content-type"] == PROBLEM
    assert db.counts() == before
