"""`POST /v1/events`: service tokens only, all or nothing, idempotent, bad input refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from townhall_contracts.events import EventType

from ..conftest import event, published
from ..policy_stub import PolicyStub


def _body(*events: Any) -> dict[str, Any]:
    return {"events": [e.model_dump(mode="json") for e in events]}


def test_a_batch_is_applied_once(client: TestClient, as_service: dict[str, str]) -> None:
    post = published(kind="social", author_id="bob", mentions=["alice"])

    first = client.post("/v1/events", json=_body(post, post), headers=as_service)
    again = client.post("/v1/events", json=_body(post), headers=as_service)

    assert first.status_code == 200, first.text
    assert first.json() == {"applied": 1, "duplicates": 1, "notifications": 1}
    assert again.json() == {"applied": 0, "duplicates": 1, "notifications": 0}


def test_user_tokens_and_no_token_are_refused(
    client: TestClient, as_user: Callable[[str], dict[str, str]]
) -> None:
    body = _body(published())

    assert client.post("/v1/events", json=body).status_code == 401
    refused = client.post("/v1/events", json=body, headers=as_user("alice"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_malformed_events_are_refused_whole(client: TestClient, as_service: dict[str, str]) -> None:
    good = published(kind="social", mentions=["alice"])
    bad = event(EventType.POST_SUBMITTED, post_id="p")  # its data lacks fields
    newer = published().model_copy(update={"schema_version": 99})

    for body in (_body(good, bad), _body(newer), {"events": []}, {"events": [{"id": -1}]}):
        answer = client.post("/v1/events", json=body, headers=as_service)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    # Nothing of the refused batch was kept: the good event applies now.
    again = client.post("/v1/events", json=_body(good), headers=as_service)
    assert again.json()["applied"] == 1


def test_policy_down_refuses_with_503_and_keeps_nothing(
    client: TestClient, as_service: dict[str, str], policy: PolicyStub
) -> None:
    policy.down = True
    post = published()

    assert client.post("/v1/events", json=_body(post), headers=as_service).status_code == 503
    policy.down = False
    assert client.post("/v1/events", json=_body(post), headers=as_service).json()["applied"] == 1
