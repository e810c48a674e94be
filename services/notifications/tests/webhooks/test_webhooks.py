"""Outgoing webhooks: who subscribes, what is refused, signed deliveries, retries, disabling."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from townhall_platform.testing import ManualClock

from ..conftest import published
from .receiver import Receiver, receiver

Headers = Callable[[str], dict[str, str]]
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def _subscribe(client: TestClient, who: dict[str, str], **body: Any) -> Any:
    return client.post("/v1/webhooks", json={"events": ["post.published"], **body}, headers=who)


def _publish(client: TestClient, service: dict[str, str], *events: Any) -> None:
    body = {"events": [e.model_dump(mode="json") for e in events]}
    assert client.post("/v1/events", json=body, headers=service).status_code == 200


@pytest.fixture
def admin(policy: Any, as_user: Headers) -> dict[str, str]:
    policy.admins = {"paul"}
    policy.employees.add("paul")
    return as_user("paul")


def test_a_signed_delivery_reaches_the_receiver(
    app: Any, client: TestClient, as_service: dict[str, str], admin: dict[str, str], hook: Receiver
) -> None:
    made = _subscribe(client, admin, url=hook.url, secret=SECRET)
    assert made.status_code == 201, made.text
    _publish(
        client,
        as_service,
        published("p1"),
        published("p2", "phoenix", author_id="alice"),
        published("p3", audience_groups=["hr"]),
    )

    done = app.state.jobs.run_once()

    # The restricted space's post, and the one for HR only, are not the admin's to read.
    assert done["webhooks_delivered"] == 1
    [(headers, body)] = hook.received
    payload = Webhook(SECRET).verify(body, headers)
    assert payload["type"] == "post.published" and payload["data"]["post_id"] == "p1"
    assert made.json()["secret"] == SECRET
    assert all(w["secret"] is None for w in client.get("/v1/webhooks", headers=admin).json())


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"status": 500}, "answered 500"),
        ({"status": 302, "location": "http://example.org/"}, "redirects are not followed"),
        ({"delay": 30}, "timed out"),
    ],
)
def test_failures_are_logged_retried_with_backoff_then_disable_the_subscription(
    app: Any,
    client: TestClient,
    as_service: dict[str, str],
    admin: dict[str, str],
    hook: Receiver,
    answer: dict[str, Any],
    why: str,
) -> None:
    for key, value in answer.items():
        setattr(hook, key, value)
    app.state.jobs.webhook_client.timeout = 0.5  # so that a receiver that never answers times out
    webhook = _subscribe(client, admin, url=hook.url).json()
    _publish(client, as_service, published("p1"))
    clock = ManualClock()  # after the event: its delivery is due
    app.state.jobs.now = clock

    assert app.state.jobs.run_once()["webhooks_retry"] == 1
    assert app.state.jobs.run_once()["webhooks_retry"] == 0  # not before its backoff
    clock.advance(25 * 3600)
    assert app.state.jobs.run_once()["webhooks_failed"] == 1

    [delivery] = client.get(f"/v1/webhooks/{webhook['id']}/deliveries", headers=admin).json()
    assert delivery["status"] == "failed"
    assert [a["error"] for a in delivery["attempts"]] == [why, why]
    [disabled] = client.get("/v1/webhooks", headers=admin).json()
    assert disabled["active"] is False and why in disabled["disabled_reason"]

    hook.status, hook.delay, hook.location = 200, 0, None
    again = f"/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}/send-again"
    assert client.post(again, headers=admin).status_code == 202
    assert app.state.jobs.run_once()["webhooks_delivered"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"url": "ftp://example.org/x"}, 422),
        ({"url": "not a url at all"}, 422),
        ({"url": "http://10.0.0.8/hook"}, 422),
        ({"url": "http://169.254.169.254/latest"}, 422),
        ({"url": "http://user:pw@example.org/hook"}, 422),
        ({"url": "https://example.org/h", "events": ["post.vanished"]}, 422),
        ({"url": "https://example.org/h", "events": ["document.upserted"]}, 422),
        ({"url": "https://example.org/h", "events": []}, 422),
        ({"url": "https://example.org/h", "secret": "whsec_c2hvcnQ="}, 422),
        ({"url": "https://example.org/h", "secret": "whsec_!!!"}, 422),
        ({"url": "https://example.org/h", "colour": "red"}, 422),
    ],
)
def test_malformed_subscriptions_are_refused(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], status: int
) -> None:
    answer = client.post("/v1/webhooks", json={"events": ["post.published"], **body}, headers=admin)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_loopback_is_refused_unless_allowed(
    app: Any, client: TestClient, admin: dict[str, str], hook: Receiver
) -> None:
    app.state.settings.webhook_allow_loopback = False

    assert _subscribe(client, admin, url=hook.url).status_code == 422


def test_only_admins_and_space_owners_subscribe_and_only_their_own_is_visible(
    client: TestClient, policy: Any, as_user: Headers, admin: dict[str, str], hook: Receiver
) -> None:
    policy.spaces["engineering"].owners = {"bob"}
    assert _subscribe(client, as_user("alice"), url=hook.url).status_code == 403
    assert _subscribe(client, as_user("bob"), url=hook.url).status_code == 403  # not org-wide
    mine = _subscribe(client, as_user("bob"), url=hook.url, space_id="engineering")
    assert mine.status_code == 201, mine.text

    webhook = mine.json()["id"]
    assert client.get(f"/v1/webhooks/{webhook}/deliveries", headers=admin).status_code == 404
    assert client.delete(f"/v1/webhooks/{webhook}", headers=admin).status_code == 404
    assert client.get("/v1/webhooks", headers=admin).json() == []
    assert client.delete(f"/v1/webhooks/{webhook}", headers=as_user("bob")).status_code == 204
    assert client.get("/v1/webhooks").status_code == 401
