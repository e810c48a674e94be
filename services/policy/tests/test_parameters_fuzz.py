"""Whatever a client puts in a query or path parameter, policy never answers 5xx.

Dates such as `0001-01-01T00:00:00Z` or `9999-12-31T23:59:59-14:00` and integers of
2^63 or more used to answer 500 (`active_at`, `since`, `until`, `offset`, `after_seq`).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

Headers = dict[str, str]

# An auditor reads the audit endpoints; a policy admin and an employee see the rest.
CALLERS = ["olivier", "paul", "alice"]


@pytest.mark.parametrize("caller", CALLERS)
def test_no_query_or_path_parameter_answers_5xx(
    client: TestClient,
    as_user: Callable[[str], Headers],
    as_service: Headers,
    assert_no_server_errors: Callable[..., None],
    caller: str,
) -> None:
    headers = as_user(caller)

    def send(path: str, params: dict[str, str]) -> int:
        return client.get(path, params=params, headers=headers).status_code

    assert_no_server_errors(client.app.openapi(), send)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/v1/grants", "active_at", "0001-01-01T00:00:00Z"),
        ("/v1/grants", "active_at", "9999-12-31T23:59:59-14:00"),
        ("/v1/grants", "offset", str(2**63)),
        ("/v1/suspensions", "active_at", "9999-12-31T23:59:59-14:00"),
        ("/v1/suspensions", "offset", str(2**63)),
        ("/v1/audit/events", "since", "0001-01-01T00:00:00Z"),
        ("/v1/audit/events", "until", "9999-12-31T23:59:59-14:00"),
        ("/v1/audit/events", "after_seq", str(2**63)),
        ("/v1/audit/who-can", "at", "9999-12-31T23:59:59-14:00"),
        ("/v1/audit/decisions", "offset", str(2**64)),
    ],
)
def test_an_out_of_range_parameter_is_a_422_naming_it(
    client: TestClient, as_user: Callable[[str], Headers], path: str, name: str, value: str
) -> None:
    params = {name: value}
    if path == "/v1/audit/who-can":
        params |= {"action": "read", "domain": "org"}
    response = client.get(path, params=params, headers=as_user("olivier"))
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    assert name in response.json()["detail"]
