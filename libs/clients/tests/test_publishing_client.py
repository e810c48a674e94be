"""The typed publishing client, against MockTransport: models in, models out, problems raised."""

from __future__ import annotations

import json

import httpx
import pytest

from townhall_clients import PublishingClient, UnexpectedResponse
from townhall_contracts.publishing.posts import PostCreate, PostKind, PostRead
from townhall_contracts.readers import PostState

AT = "2026-12-07T09:00:00Z"
POST = {
    "id": "p1", "space_id": "engineering", "kind": "social", "title": "Offsite",
    "body": "**June**", "body_html": "<p><strong>June</strong></p>", "mentions": [],
    "author_id": "alice", "state": "published", "authority": None, "audience_groups": [],
    "audience_spaces": [], "requires_acknowledgement": True, "version": 1, "revision": 1,
    "edit_count": 0, "decision_id": "d1", "policy_revision": 3, "created_at": AT,
    "updated_at": AT, "published_at": AT, "submitted_at": None, "approved_by": None,
    "approved_at": None, "rejected_by": None, "rejection_reason": None, "scheduled_at": None,
    "retracted_by": None, "retracted_at": None, "retraction_reason": None, "pinned": False,
    "pinned_by": None, "endorsed_by": None, "endorsed_at": None, "endorsement": None,
    "pin": None, "hidden_at": None, "hidden_reason": None, "comment_count": 0,
    "reactions": {}, "acknowledged": None,
}  # fmt: skip


def _client(handler: httpx.MockTransport) -> PublishingClient:
    return PublishingClient("http://publishing", token=lambda: "service", transport=handler)


def test_a_post_is_sent_as_its_model_and_answered_as_one() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=POST)

    client = _client(httpx.MockTransport(handler))
    created = client.create_post(
        PostCreate(space_id="engineering", kind=PostKind.SOCIAL, title="Offsite", body="**June**"),
        user_token="alice-token",
    )
    assert isinstance(created, PostRead)
    assert created.state is PostState.PUBLISHED and created.requires_acknowledgement
    assert created.body_html == "<p><strong>June</strong></p>"
    assert seen[0].headers["authorization"] == "Bearer alice-token"
    # Only what the caller set: publishing fills in its own defaults.
    assert json.loads(seen[0].content) == {
        "space_id": "engineering", "kind": "social", "title": "Offsite", "body": "**June**"
    }  # fmt: skip


def test_a_refusal_raises_with_publishing_s_problem() -> None:
    problem = {"type": "about:blank", "status": 403, "detail": "No.", "reason": {"summary": "x"}}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            403, json=problem, headers={"content-type": "application/problem+json"}
        )

    with pytest.raises(UnexpectedResponse) as refused:
        _client(httpx.MockTransport(handler)).approve("p1", user_token="marc-token")
    assert refused.value.status_code == 403 and refused.value.problem == problem


def test_lists_answer_their_items() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["limit"] == "20" and "cursor" not in request.url.params
        return httpx.Response(200, json={"items": [POST], "next_cursor": None})

    page = _client(httpx.MockTransport(handler)).feed(user_token="bob-token")
    assert [post.id for post in page.items] == ["p1"] and page.next_cursor is None
