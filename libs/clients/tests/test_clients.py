"""The typed clients, against MockTransport: retries, request ids, errors."""

from __future__ import annotations

import httpx
import pytest

from townhall_clients import PolicyClient, ServiceUnavailable, UnexpectedResponse
from townhall_platform.logs import request_id_var

DECISION = {
    "allowed": True,
    "decision_id": "d1",
    "policy_revision": 7,
    "reason": {"summary": "ok", "rule": "r", "role_path": [], "grant": None, "missing": None},
    "subject": "alice",
    "action": "read",
    "domain": "org",
}


def test_decide_sends_token_and_request_id() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=DECISION)

    client = PolicyClient(
        "http://policy", token=lambda: "tok", transport=httpx.MockTransport(handler)
    )
    token = request_id_var.set("req-42")
    try:
        decision = client.decide("alice", "read", "org")
    finally:
        request_id_var.reset(token)
    assert decision.allowed and decision.policy_revision == 7
    assert seen[0].headers["authorization"] == "Bearer tok"
    assert seen[0].headers["x-request-id"] == "req-42"


def test_transient_failures_are_retried_then_fail_closed() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] < 3:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json=DECISION)

    client = PolicyClient("http://p", token=lambda: "t", transport=httpx.MockTransport(flaky))
    assert client.decide("alice", "read", "org").allowed
    assert calls["n"] == 3

    down = PolicyClient(
        "http://p",
        token=lambda: "t",
        transport=httpx.MockTransport(lambda r: httpx.Response(503)),
    )
    with pytest.raises(ServiceUnavailable) as info:
        down.decide("alice", "read", "org")
    assert info.value.status == 503


def test_unexpected_answers_are_reported() -> None:
    client = PolicyClient(
        "http://p",
        token=lambda: "t",
        transport=httpx.MockTransport(lambda r: httpx.Response(404, json={"title": "Not found"})),
    )
    with pytest.raises(UnexpectedResponse) as info:
        client.principals("ghost")
    assert info.value.status_code == 404
    assert info.value.problem == {"title": "Not found"}


def test_non_idempotent_requests_are_not_retried() -> None:
    calls = {"n": 0}

    def failing(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ConnectError("refused")

    client = PolicyClient("http://p", token=lambda: "t", transport=httpx.MockTransport(failing))
    with pytest.raises(ServiceUnavailable):
        client.request("POST", "/internal/v1/grants", idempotent=False, json={})
    assert calls["n"] == 1
