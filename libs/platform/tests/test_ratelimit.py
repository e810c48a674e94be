"""Rate limits on a tiny app: per user on writes, searches and type-ahead, per address
without a user; 429 problem+json with Retry-After; shared by two instances through Redis
(127.0.0.1:6379); each instance on its own when Redis does not answer."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import redis
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from townhall_platform.app import AnyCaller, create_app
from townhall_platform.auth import TokenIssuer
from townhall_platform.settings import ServiceSettings
from townhall_platform.testing import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"

router = APIRouter(prefix="/v1")


@router.post("/things")
def create_thing(caller: AnyCaller) -> dict[str, str]:
    return {"by": caller.subject}


@router.get("/search")
def search(caller: AnyCaller) -> dict[str, str]:
    return {"by": caller.subject}


@router.get("/search/suggestions")
def suggest(caller: AnyCaller) -> dict[str, str]:
    return {"by": caller.subject}


@router.get("/things")
def list_things(caller: AnyCaller) -> dict[str, str]:
    return {"by": caller.subject}


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


_running = ExitStack()


@pytest.fixture(autouse=True)
def _stop_instances() -> Iterator[None]:
    yield
    _running.close()


def instance(
    signing_key_file: Path, name: str, redis_url: str | None = REDIS_URL, **limits: int
) -> TestClient:
    """One instance; `name` keys its counters, so instances of one name share them."""
    settings = ServiceSettings(
        environment="test",
        signing_key_file=signing_key_file,
        redis_url=redis_url,
        rate_limit_writes_per_minute=limits.get("writes", 3),
        rate_limit_searches_per_minute=limits.get("searches", 4),
        rate_limit_typeahead_per_minute=limits.get("typeahead", 5),
        rate_limit_per_address_per_minute=limits.get("address", 2),
    )
    app: FastAPI = create_app(
        name=name,
        settings=settings,
        routers=[router],
        readiness={},
        search_paths=("/v1/search",),
        typeahead_paths=("/v1/search/suggestions",),
    )
    # Entered: one event loop for the instance's life, as under uvicorn (Redis's async
    # connections belong to the loop that opened them).
    return _running.enter_context(TestClient(app))


def as_user(issuer: TokenIssuer, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.user_token(subject)}"}


@pytest.fixture
def name() -> str:
    # Counters of one window outlive a test in Redis: each test counts under its own name.
    return f"ratelimit-test-{uuid.uuid4().hex[:8]}"


# A developer without Redis skips these; CI starts Redis (.ci/run) and never skips them.
needs_redis = pytest.mark.skipif(
    not redis_answers() and not os.environ.get("CI"), reason="Redis on 127.0.0.1:6379 is down"
)


def statuses(
    client: TestClient, method: str, path: str, headers: dict[str, str], n: int
) -> list[int]:
    return [client.request(method, path, headers=headers).status_code for _ in range(n)]


@needs_redis
def test_writes_over_the_limit_are_429_problems_with_retry_after(
    signing_key_file: Path, token_issuer: TokenIssuer, name: str
) -> None:
    client = instance(signing_key_file, name)
    alice = as_user(token_issuer, "alice")
    assert statuses(client, "POST", "/v1/things", alice, 3) == [200, 200, 200]
    refused = client.post("/v1/things", headers=alice)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    problem = refused.json()
    assert problem["status"] == 429 and problem["type"].endswith("/too-many-requests")
    assert problem["limit"] == "write" and problem["limited_by"] == "user"
    assert problem["retry_after_seconds"] == int(refused.headers["retry-after"])
    assert refused.headers["x-request-id"]
    # Another user, the reads that are not limited, and services are not refused.
    assert client.post("/v1/things", headers=as_user(token_issuer, "bob")).status_code == 200
    assert client.get("/v1/things", headers=alice).status_code == 200
    service = {"Authorization": f"Bearer {token_issuer.service_token('publishing')}"}
    assert statuses(client, "POST", "/v1/things", service, 5) == [200] * 5


@needs_redis
def test_searches_and_type_ahead_have_budgets_of_their_own(
    signing_key_file: Path, token_issuer: TokenIssuer, name: str
) -> None:
    client = instance(signing_key_file, name)
    alice = as_user(token_issuer, "alice")
    assert statuses(client, "GET", "/v1/search", alice, 5) == [200] * 4 + [429]
    assert statuses(client, "GET", "/v1/search/suggestions", alice, 6) == [200] * 5 + [429]
    assert client.get("/v1/search/suggestions", headers=alice).json()["limit"] == "typeahead"
    assert client.post("/v1/things", headers=alice).status_code == 200


@needs_redis
def test_requests_without_a_valid_user_are_limited_by_address(
    signing_key_file: Path, token_issuer: TokenIssuer, name: str
) -> None:
    client = instance(signing_key_file, name)
    forged = {"Authorization": "Bearer not-a-token"}
    assert statuses(client, "POST", "/v1/things", {}, 2) == [401, 401]
    refused = client.post("/v1/things", headers=forged)
    assert refused.status_code == 429 and refused.json()["limited_by"] == "address"
    # A user with a valid token is counted as that user, not by the shared address.
    assert client.post("/v1/things", headers=as_user(token_issuer, "alice")).status_code == 200


@needs_redis
def test_two_instances_share_one_budget_through_redis(
    signing_key_file: Path, token_issuer: TokenIssuer, name: str
) -> None:
    first, second = instance(signing_key_file, name), instance(signing_key_file, name)
    alice = as_user(token_issuer, "alice")
    answered = [
        (first if i % 2 == 0 else second).post("/v1/things", headers=alice).status_code
        for i in range(6)
    ]
    assert answered == [200, 200, 200, 429, 429, 429]


def test_without_redis_each_instance_counts_on_its_own(
    signing_key_file: Path, token_issuer: TokenIssuer, name: str
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    first = instance(signing_key_file, name, redis_url=down)
    second = instance(signing_key_file, name, redis_url=down)
    alice = as_user(token_issuer, "alice")
    # Still limited (not failing open), per process: each instance allows its three.
    assert statuses(first, "POST", "/v1/things", alice, 4) == [200, 200, 200, 429]
    assert statuses(second, "POST", "/v1/things", alice, 4) == [200, 200, 200, 429]


def test_the_embedded_default_counts_in_the_process(
    signing_key_file: Path, token_issuer: TokenIssuer, name: str
) -> None:
    client = instance(signing_key_file, name, redis_url=None)
    alice = as_user(token_issuer, "alice")
    assert statuses(client, "POST", "/v1/things", alice, 4) == [200, 200, 200, 429]


def test_limits_can_be_turned_off(signing_key_file: Path, token_issuer: TokenIssuer) -> None:
    settings = ServiceSettings(
        environment="test",
        signing_key_file=signing_key_file,
        rate_limits_enabled=False,
        rate_limit_writes_per_minute=1,
    )
    client = TestClient(create_app(name="off", settings=settings, routers=[router], readiness={}))
    alice = as_user(token_issuer, "alice")
    assert statuses(client, "POST", "/v1/things", alice, 3) == [200] * 3
