"""Whatever a client puts in a query or path parameter, publishing never answers 5xx.

Dates such as `9999-12-31T23:59:59-14:00` in the indicators' `until` used to answer 500;
so did NUL in an id on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

Auth = Callable[[str], dict[str, str]]

# A communicator reads the indicators, a moderator the moderation queues, an employee the rest.
CALLERS = ["claire", "nadia", "alice"]


@pytest.mark.parametrize("caller", CALLERS)
def test_no_query_or_path_parameter_answers_5xx(
    app: FastAPI, auth: Auth, assert_no_server_errors: Callable[..., None], caller: str
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    headers = auth(caller)

    def send(path: str, params: dict[str, str]) -> int:
        return client.get(path, params=params, headers=headers).status_code

    assert_no_server_errors(app.openapi(), send)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("until", "9999-12-31T23:59:59-14:00"),
        ("until", "0001-01-01T00:00:00+14:00"),
        ("since", "0001-01-01T00:00:00Z"),
    ],
)
def test_an_out_of_range_indicator_period_is_a_422_naming_it(
    app: FastAPI, auth: Auth, name: str, value: str
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/v1/indicators", params={name: value}, headers=auth("claire"))
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    assert name in response.json()["detail"]


@pytest.mark.parametrize(("action", "field"), [("submit", "publish_at"), ("publish", "at")])
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"])
def test_an_out_of_range_instant_in_a_body_is_a_422_naming_it(
    app: FastAPI, auth: Auth, action: str, field: str, value: str
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post(
        f"/v1/posts/00000000-0000-0000-0000-000000000000/{action}",
        json={field: value},
        headers=auth("claire"),
    )
    assert response.status_code == 422, response.text[:500]
    assert field in response.json()["detail"]


def test_a_nul_in_a_path_or_query_is_refused_naming_where(app: FastAPI, auth: Auth) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    in_path = client.get("/v1/posts/%00", headers=auth("alice"))
    assert in_path.status_code == 422, in_path.text[:500]
    assert in_path.json()["errors"][0]["location"] == ["path"]
    in_query = client.get("/v1/feed", params={"space_id": "a\x00b"}, headers=auth("alice"))
    assert in_query.status_code == 422, in_query.text[:500]
    assert in_query.json()["errors"][0]["location"] == ["query", "space_id"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("pin", "revision"), ("endorse", "revision"), ("comments", "post_revision")],
)
def test_a_revision_beyond_64_bits_is_a_422_naming_it(
    app: FastAPI, auth: Auth, path: str, field: str
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post(
        f"/v1/posts/00000000-0000-0000-0000-000000000000/{path}",
        json={field: 2**63, "body": "x"} if path == "comments" else {field: 2**63},
        headers=auth("claire"),
    )
    assert response.status_code == 422, response.text[:500]
    assert field in response.json()["detail"]
