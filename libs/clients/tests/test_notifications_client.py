"""The inbox client, against MockTransport: paths, the user's token, answers and errors."""

from __future__ import annotations

import httpx
import pytest

from townhall_clients import (
    CircuitBreaker,
    NotificationsClient,
    ServiceUnavailable,
    UnexpectedResponse,
)

ITEM = {
    "id": 7,
    "kind": "mention",
    "post_id": "p1",
    "space_id": "general",
    "title": "Hello",
    "excerpt": "@alice hello",
    "actor_id": "bob",
    "read": False,
    "created_at": "2026-12-07T10:00:00Z",
    "link": "/posts/p1",
}


def client_of(handler, **options) -> NotificationsClient:  # type: ignore[no-untyped-def]
    return NotificationsClient(
        "http://notifications",
        token=lambda: "service-token-never-used",
        transport=httpx.MockTransport(handler),
        **options,
    )


def test_each_call_goes_to_its_path_with_the_users_token() -> None:
    seen: list[tuple[str, str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url), request.headers["authorization"]))
        path = request.url.path
        if path == "/v1/inbox":
            return httpx.Response(200, json={"unread": 1, "items": [ITEM], "next_cursor": "c2"})
        if path == "/v1/inbox/unread":
            return httpx.Response(200, json={"unread": 3})
        if path == "/v1/inbox/read-all":
            return httpx.Response(200, json={"marked": 3})
        return httpx.Response(200, json={**ITEM, "read": True})

    client = client_of(handler)
    page = client.inbox(user_token="u", cursor="c1")
    assert page.unread == 1 and page.items[0].post_id == "p1" and page.next_cursor == "c2"
    assert client.unread_count(user_token="u") == 3
    assert client.mark_read(user_token="u", notification_id=7).read is True
    assert client.mark_all_read(user_token="u") == 3
    assert [(m, url) for m, url, _ in seen] == [
        ("GET", "http://notifications/v1/inbox?cursor=c1&limit=20"),
        ("GET", "http://notifications/v1/inbox/unread"),
        ("POST", "http://notifications/v1/inbox/7/read"),
        ("POST", "http://notifications/v1/inbox/read-all"),
    ]
    assert {auth for _, _, auth in seen} == {"Bearer u"}


def test_a_refusal_is_an_unexpected_response_with_its_problem() -> None:
    problem = {"type": "about:blank", "title": "Not found", "status": 404, "detail": "none"}
    client = client_of(lambda request: httpx.Response(404, json=problem))
    with pytest.raises(UnexpectedResponse) as info:
        client.mark_read(user_token="u", notification_id=9)
    assert info.value.status_code == 404 and info.value.problem == problem


def test_an_outage_opens_the_breaker_and_later_calls_fail_at_once() -> None:
    calls = {"n": 0}

    def down(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ConnectError("refused")

    client = client_of(
        down, retries=1, breaker=CircuitBreaker("notifications", failure_threshold=2)
    )
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            client.unread_count(user_token="u")
    asked = calls["n"]
    with pytest.raises(ServiceUnavailable):
        client.unread_count(user_token="u")
    assert calls["n"] == asked  # refused without touching the network
