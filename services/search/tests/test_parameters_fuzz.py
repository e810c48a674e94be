"""Whatever a client puts in a query parameter or an index event, search never answers 5xx.

`from=0001-01-01T00:00:00Z` or `to=9999-12-31T23:59:59-14:00` used to answer 500.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

AuthHeaders = Callable[[str], dict[str, str]]


def test_no_query_or_path_parameter_answers_5xx(
    client: TestClient,
    as_user: AuthHeaders,
    as_service: Callable[..., dict[str, str]],
    assert_no_server_errors: Callable[..., None],
) -> None:
    for headers, prefixes in ((as_user("alice"), ("/v1/",)), (as_service(), ("/internal/",))):

        def send(path: str, params: dict[str, str], headers: dict[str, str] = headers) -> int:
            return client.get(path, params=params, headers=headers).status_code

        assert_no_server_errors(client.app.openapi(), send, prefixes=prefixes)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("from", "0001-01-01T00:00:00Z"),
        ("from", "9999-12-31T23:59:59-14:00"),
        ("to", "9999-12-31T23:59:59-14:00"),
        ("to", "0001-01-01T00:00:00+14:00"),
    ],
)
def test_an_out_of_range_date_filter_is_a_422_naming_it(
    client: TestClient, as_user: AuthHeaders, name: str, value: str
) -> None:
    response = client.get("/v1/search", params={"q": "x", name: value}, headers=as_user("alice"))
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    assert name in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("event_id", 2**63), ("version", 2**64), ("created_at", "0001-01-01T00:00:00+14:00")],
)
def test_an_out_of_range_index_event_is_a_422(
    client: TestClient,
    as_service: Callable[..., dict[str, str]],
    field: str,
    value: object,
) -> None:
    document = {
        "id": "p1",
        "doc_type": "post",
        "state": "published",
        "kind": "social",
        "space_id": "engineering",
        "author_id": "alice",
        "title": "t",
        "body": "b",
        "readers": ["org"],
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    event = {"event_id": 1, "op": "upsert", "doc_id": "p1", "version": 1, "document": document}
    if field in document:
        document[field] = value
    else:
        event[field] = value
    response = client.post(
        "/internal/v1/index/bulk", json={"events": [event]}, headers=as_service()
    )
    assert response.status_code == 422, response.text[:500]
    assert field in response.json()["detail"]


def test_a_nul_in_the_query_text_is_a_422_naming_it(
    client: TestClient, as_user: AuthHeaders
) -> None:
    response = client.get("/v1/search", params={"q": "sécurité\x00"}, headers=as_user("alice"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["query", "q"]
