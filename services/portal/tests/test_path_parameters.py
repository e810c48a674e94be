"""Ids in the portal's paths are checked where they enter: odd ones never reach an API.

`/posts/%00` used to answer 500: the id went unchecked into the URL of an API call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from townhall_portal.session import SESSION_COOKIE, Session, SessionCodec
from townhall_portal.settings import DEV_SESSION_SECRET

# (".." and the like are resolved by the client before they reach the portal.)
ODD_IDS = ["\x00", "a\x00b", "a/b", "\u202e", "x" * 300, " ", "a?b=c", ".hidden", "é"]


def _signed_in(client: TestClient) -> None:
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    session = Session(
        subject="alice", token="t", expires_at=time.time() + 3600, name="alice", session_id="s1"
    )
    client.cookies.set(SESSION_COOKIE, codec.seal(session))


def _get_routes_with_ids(client: TestClient) -> list[str]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return sorted(p for p, ops in paths.items() if "get" in ops and re.search(r"\{[a-z_]+\}", p))


@pytest.mark.parametrize("odd", ODD_IDS)
def test_an_odd_id_in_a_page_path_is_not_found_without_calling_an_api(
    client: TestClient, odd: str
) -> None:
    _signed_in(client)
    routes = _get_routes_with_ids(client)
    assert "/posts/{post_id}" in routes
    for route in routes:
        path = re.sub(r"\{[a-z_]+\}", quote(odd, safe=""), route)
        response = client.get(path)
        # The APIs are down in these tests: a call to one would answer 503. (An id with
        # a slash makes another path, which another route may own for other methods.)
        assert response.status_code in (400, 404, 405), (route, odd, response.status_code)
        assert "text/html" in response.headers["content-type"]


def test_no_page_path_or_query_answers_500(
    client: TestClient, assert_no_server_errors: Callable[..., None]
) -> None:
    """The APIs are down here, so 503 is expected; 500 never is."""
    _signed_in(client)

    def send(path: str, params: dict[str, str]) -> int:
        status = client.get(path, params=params).status_code
        return 200 if status == 503 else status

    assert_no_server_errors(client.app.openapi(), send, prefixes=("/",), examples=15)  # type: ignore[attr-defined]
