"""The people search behind mentions: active people only, ids and names only, for any
active person, rate-bounded per caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from townhall_policy.app import create_app
from townhall_policy.people.limiter import SearchLimiter
from townhall_policy.settings import PolicySettings

PROBLEM = "application/problem+json"


def people(api: Any, prefix: str, *, user: str = "alice", **params: Any) -> list[dict[str, str]]:
    response = api.client.get(
        "/v1/directory/people", params={"prefix": prefix, **params}, headers=api.user(user)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, str]] = response.json()["people"]
    return found


def test_people_are_found_by_id_or_by_a_word_of_their_name(api: Any) -> None:
    assert people(api, "ali") == [{"id": "alice", "display_name": "Alice Dubois"}]
    assert [p["id"] for p in people(api, "DUB")] == ["alice"]  # the surname, any case
    assert [p["id"] for p in people(api, "zoe", user="zoe")] == ["zoe"]
    assert people(api, "nobody-by-that-name") == []
    # Wildcards are taken literally.
    assert people(api, "%") == [] and people(api, "_") == []


def test_only_ids_and_names_of_active_people_are_answered(api: Any) -> None:
    created = api.client.post(
        "/v1/directory/subjects",
        json={
            "id": "quentin",
            "display_name": "Quentin Quesnel",
            "email": "quentin@example.com",
            "justification": "Hired for the people search test",
        },
        headers=api.user("paul"),
    )
    assert created.status_code == 201, created.text
    assert people(api, "quen") == [{"id": "quentin", "display_name": "Quentin Quesnel"}]
    gone = api.client.request(
        "DELETE",
        "/v1/directory/subjects/quentin",
        json={"justification": "Left the company"},
        headers=api.user("paul"),
    )
    assert gone.status_code == 200
    assert people(api, "quen") == []
    # Groups are no people.
    assert all(person["id"] != "engineering" for person in people(api, "eng"))
    # A deactivated account looks nobody up.
    refused = api.client.get(
        "/v1/directory/people", params={"prefix": "a"}, headers=api.user("quentin")
    )
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/not-in-directory")


def test_the_answer_is_bounded(api: Any) -> None:
    # Marc, Bob Moreau, Emma Michel... start with an M.
    assert len(people(api, "m")) >= 3
    assert len(people(api, "m", limit=2)) == 2


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"prefix": ""},
        {"prefix": "x" * 65},
        {"prefix": "a", "limit": 0},
        {"prefix": "a", "limit": 21},
    ],
)
def test_malformed_searches_are_422(api: Any, params: dict[str, Any]) -> None:
    refused = api.client.get("/v1/directory/people", params=params, headers=api.user("alice"))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM


def test_a_caller_needs_a_user_token(api: Any, as_service: dict[str, str]) -> None:
    assert api.client.get("/v1/directory/people", params={"prefix": "a"}).status_code == 401
    refused = api.client.get("/v1/directory/people", params={"prefix": "a"}, headers=as_service)
    assert refused.status_code in (401, 403)
    assert refused.headers["content-type"] == PROBLEM


def test_a_caller_searching_too_often_is_slowed_down(
    settings: PolicySettings, as_user: Callable[[str], dict[str, str]]
) -> None:
    # A refill so slow that no search comes back during the test, however slow the machine.
    bounded = settings.model_copy(
        update={"people_search_burst": 3, "people_search_per_second": 0.001}
    )
    with TestClient(create_app(bounded)) as client:
        for _ in range(3):
            ok = client.get("/v1/directory/people", params={"prefix": "a"}, headers=as_user("bob"))
            assert ok.status_code == 200
        refused = client.get("/v1/directory/people", params={"prefix": "a"}, headers=as_user("bob"))
        assert refused.status_code == 429
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["type"].endswith("/too-many-searches")
        assert int(refused.headers["retry-after"]) >= 1
        # Another caller has a bucket of their own.
        other = client.get("/v1/directory/people", params={"prefix": "a"}, headers=as_user("emma"))
        assert other.status_code == 200


def test_the_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = SearchLimiter(burst=2, per_second=4.0, clock=lambda: now[0])
    assert limiter.take("alice") == 0 and limiter.take("alice") == 0
    assert limiter.take("alice") == pytest.approx(0.25)
    now[0] += 0.25
    assert limiter.take("alice") == 0
    assert limiter.take("alice") > 0
