"""The relayed grant call: the human goes along, and policy's refusal comes back as it is."""

from __future__ import annotations

import json

import httpx
import pytest

from townhall_clients import (
    ConflictUpstream,
    InvalidUpstream,
    PolicyClient,
    RefusedUpstream,
    UnexpectedResponse,
)

SELF_GRANT = {
    "type": "https://townhall.dev/problems/self-grant",
    "title": "Self-grant refused",
    "status": 403,
    "detail": "alice may not grant moderator in space:x to themselves",
    "instance": "/internal/v1/grants",
    "subject": "alice",
}


def _client(status: int, body: object, seen: list[httpx.Request]) -> PolicyClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return PolicyClient("http://policy", token=lambda: "t", transport=httpx.MockTransport(handler))


def _grant(client: PolicyClient) -> None:
    client.grant_space_role(
        subject="alice",
        role="moderator",
        domain="space:x",
        on_behalf_of="alice",
        justification="Runs it",
    )


def test_the_human_who_asked_goes_along_with_the_grant() -> None:
    seen: list[httpx.Request] = []

    _grant(_client(201, {"id": "g1"}, seen))

    assert json.loads(seen[0].content)["on_behalf_of"] == "alice"
    assert "granted_by" not in json.loads(seen[0].content)


@pytest.mark.parametrize(
    ("status", "error"), [(403, RefusedUpstream), (409, ConflictUpstream), (422, InvalidUpstream)]
)
def test_policy_s_refusal_is_passed_on_with_its_type_and_details(
    status: int, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        _grant(_client(status, {**SELF_GRANT, "status": status}, []))

    problem = info.value.to_problem("/v1/spaces/x/members")  # type: ignore[attr-defined]
    assert problem["status"] == status
    assert problem["type"] == SELF_GRANT["type"]
    assert problem["detail"] == SELF_GRANT["detail"]
    assert problem["subject"] == "alice"
    assert problem["instance"] == "/v1/spaces/x/members"


def test_an_answer_policy_should_not_give_stays_a_bad_gateway() -> None:
    with pytest.raises(UnexpectedResponse):
        _grant(_client(404, {"detail": "no route"}, []))
    with pytest.raises(UnexpectedResponse):
        _grant(_client(403, "not a problem", []))
