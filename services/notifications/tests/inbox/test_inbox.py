"""The inbox: newest first with a cursor, the unread count, read marks; only one's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..conftest import published
from ..policy_stub import PolicyStub

Headers = Callable[[str], dict[str, str]]


def _mention(
    client: TestClient, service: dict[str, str], n: int, space: str = "engineering"
) -> None:
    events = [
        published(
            f"post-{space}-{i}",
            space,
            kind="social",
            author_id="bob",
            mentions=["alice"],
            title=f"Post {i}",
        ).model_dump(mode="json")
        for i in range(n)
    ]
    assert client.post("/v1/events", json={"events": events}, headers=service).status_code == 200


def test_the_inbox_pages_newest_first(
    client: TestClient, as_service: dict[str, str], as_user: Headers
) -> None:
    _mention(client, as_service, 5)

    first = client.get("/v1/inbox?limit=3", headers=as_user("alice")).json()
    second = client.get(
        f"/v1/inbox?limit=3&cursor={first['next_cursor']}", headers=as_user("alice")
    ).json()

    assert [i["title"] for i in first["items"]] == ["Post 4", "Post 3", "Post 2"]
    assert [i["title"] for i in second["items"]] == ["Post 1", "Post 0"]
    assert second["next_cursor"] is None
    assert first["unread"] == 5
    item = first["items"][0]
    assert item["kind"] == "mention" and item["link"] == "/posts/post-engineering-4"
    assert client.get("/v1/inbox", headers=as_user("bob")).json()["items"] == []


def test_read_marks_and_the_unread_count(
    client: TestClient, as_service: dict[str, str], as_user: Headers
) -> None:
    _mention(client, as_service, 3)
    alice = as_user("alice")
    newest = client.get("/v1/inbox", headers=alice).json()["items"][0]

    marked = client.post(f"/v1/inbox/{newest['id']}/read", headers=alice)
    twice = client.post(f"/v1/inbox/{newest['id']}/read", headers=alice)

    assert marked.status_code == 200 and marked.json()["read"] is True
    assert twice.status_code == 200
    assert client.get("/v1/inbox/unread", headers=alice).json() == {"unread": 2}
    assert client.post("/v1/inbox/read-all", headers=alice).json() == {"marked": 2}
    assert client.get("/v1/inbox/unread", headers=alice).json() == {"unread": 0}


def test_no_one_marks_another_users_item(
    client: TestClient, as_service: dict[str, str], as_user: Headers
) -> None:
    _mention(client, as_service, 1)
    item = client.get("/v1/inbox", headers=as_user("alice")).json()["items"][0]

    answer = client.post(f"/v1/inbox/{item['id']}/read", headers=as_user("bob"))

    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/inbox/unread", headers=as_user("alice")).json() == {"unread": 1}


def test_items_of_a_space_one_lost_access_to_are_left_out(
    client: TestClient, as_service: dict[str, str], as_user: Headers, policy: PolicyStub
) -> None:
    _mention(client, as_service, 2, space="phoenix")
    _mention(client, as_service, 1)
    item = client.get("/v1/inbox", headers=as_user("alice")).json()["items"][-1]
    policy.spaces["phoenix"].members.discard("alice")

    inbox = client.get("/v1/inbox", headers=as_user("alice")).json()

    assert [i["space_id"] for i in inbox["items"]] == ["engineering"]
    assert inbox["unread"] == 1
    assert client.post(f"/v1/inbox/{item['id']}/read", headers=as_user("alice")).status_code == 404
    assert client.post("/v1/inbox/read-all", headers=as_user("alice")).json() == {"marked": 1}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/inbox?cursor=abc", 400),
        ("GET", "/v1/inbox?cursor=-1", 400),
        ("GET", "/v1/inbox?limit=0", 422),
        ("GET", "/v1/inbox?limit=101", 422),
        ("POST", "/v1/inbox/0/read", 422),
        ("POST", "/v1/inbox/abc/read", 422),
        ("POST", "/v1/inbox/99999999999999999999/read", 422),
        ("POST", "/v1/inbox/12345/read", 404),
    ],
)
def test_bad_input_is_refused_precisely(
    client: TestClient, as_user: Headers, method: str, path: str, status: int
) -> None:
    answer = client.request(method, path, headers=as_user("alice"))

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/inbox"),
        ("GET", "/v1/inbox/unread"),
        ("POST", "/v1/inbox/read-all"),
        ("POST", "/v1/inbox/1/read"),
    ],
)
def test_the_inbox_wants_a_user(
    client: TestClient, as_service: dict[str, str], method: str, path: str
) -> None:
    assert client.request(method, path).status_code == 401
    assert client.request(method, path, headers=as_service).status_code == 403


def test_policy_down_answers_503(
    client: TestClient, as_user: Headers, as_service: dict[str, str], policy: PolicyStub
) -> None:
    _mention(client, as_service, 1)
    policy.down = True

    answer: Any = client.get("/v1/inbox", headers=as_user("alice"))

    assert answer.status_code == 503
