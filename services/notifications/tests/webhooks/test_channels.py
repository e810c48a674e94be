"""Teams and Slack channels: an official post's card, never for a restricted space."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..conftest import published
from .receiver import Receiver, receiver

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


@pytest.fixture
def owner(policy: Any, as_user: Headers) -> dict[str, str]:
    policy.spaces["engineering"].owners = {"bob"}
    policy.spaces["phoenix"].owners = {"bob"}
    return as_user("bob")


def _channel(client: TestClient, who: dict[str, str], url: str, **body: Any) -> Any:
    return client.post(
        "/v1/webhooks",
        json={"url": url, "events": ["post.published"], "space_id": "engineering", **body},
        headers=who,
    )


@pytest.mark.parametrize("format", ["teams", "slack"])
def test_an_official_post_is_announced_with_title_authority_summary_and_link(
    app: Any,
    client: TestClient,
    as_service: dict[str, str],
    owner: dict[str, str],
    hook: Receiver,
    format: str,
) -> None:
    assert _channel(client, owner, hook.url, format=format).status_code == 201
    events = [
        published(
            "p1",
            "engineering",
            title="Release train",
            summary="Friday 16:00",
            authority="Head of engineering",
        ).model_dump(mode="json"),
        # Narrowed to a group, or social: not for a channel.
        published("p2", "engineering", audience_groups=["hr"]).model_dump(mode="json"),
        published("p3", "engineering", kind="social").model_dump(mode="json"),
    ]
    client.post("/v1/events", json={"events": events}, headers=as_service)

    assert app.state.jobs.run_once()["webhooks_delivered"] == 1

    [(_, body)] = hook.received
    text = body.decode()
    for part in (
        "Release train",
        "Friday 16:00",
        "Head of engineering",
        "http://127.0.0.1:8100/posts/p1",
    ):
        assert part in text
    if format == "teams":
        assert "application/vnd.microsoft.card.adaptive" in text
    else:
        assert '"blocks"' in text


def test_a_channel_is_refused_for_a_restricted_space(
    client: TestClient, owner: dict[str, str], hook: Receiver
) -> None:
    refused = _channel(client, owner, hook.url, format="teams", space_id="phoenix")

    assert refused.status_code == 422
    assert "restricted" in refused.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"space_id": None},
        {"events": ["post.published", "comment.created"]},
        {"space_id": "nowhere"},
        {"format": "carrier-pigeon"},
    ],
)
def test_a_channel_announces_one_spaces_official_posts_only(
    client: TestClient, owner: dict[str, str], policy: Any, hook: Receiver, body: dict[str, Any]
) -> None:
    policy.admins = {"bob"}  # so that the refusal is about the channel, not the caller

    answer = _channel(client, owner, hook.url, **{"format": "slack", **body})

    assert answer.status_code == 422, answer.text
