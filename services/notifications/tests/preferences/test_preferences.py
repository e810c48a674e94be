"""Preferences per kind; mandatory notices cannot be off; one-click unsubscribe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

Headers = Callable[[str], dict[str, str]]


def test_defaults_mail_what_cannot_wait_and_digest_the_rest(
    client: TestClient, as_user: Headers
) -> None:
    prefs = client.get("/v1/preferences", headers=as_user("alice")).json()

    assert prefs["channels"]["acknowledgement_due"] == "email"
    assert prefs["channels"]["approval_requested"] == "email"
    assert prefs["channels"]["mention"] == "digest"
    assert prefs["email"] == "alice@townhall.example"
    assert prefs["language"] == "fr" and prefs["digest"] == "daily"
    assert "acknowledgement_due" in prefs["mandatory"] and prefs["mandatory_reason"]


def test_a_change_keeps_the_other_kinds(client: TestClient, as_user: Headers) -> None:
    change = {
        "channels": {"mention": "off", "acknowledgement_due": "in_app"},
        "language": "en",
        "digest": "weekly",
        "email": "alice@example.org",
    }

    answer = client.put("/v1/preferences", json=change, headers=as_user("alice"))
    again = client.put(
        "/v1/preferences", json={"channels": {"reply": "email"}}, headers=as_user("alice")
    )

    assert answer.status_code == 200, answer.text
    channels = again.json()["channels"]
    assert (channels["mention"], channels["reply"], channels["acknowledgement_due"]) == (
        "off",
        "email",
        "in_app",
    )
    assert again.json()["language"] == "en" and again.json()["email"] == "alice@example.org"
    # Only the caller's own preferences changed.
    assert (
        client.get("/v1/preferences", headers=as_user("bob")).json()["channels"]["mention"]
        == "digest"
    )


def test_a_mandatory_notice_cannot_be_switched_off(client: TestClient, as_user: Headers) -> None:
    answer = client.put(
        "/v1/preferences",
        json={"channels": {"acknowledgement_due": "off", "mention": "off"}},
        headers=as_user("alice"),
    )

    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"].endswith("/mandatory-notification")
    assert problem["kinds"] == ["acknowledgement_due"]
    assert "acknowledge" in problem["detail"]
    # Refused whole: the other change did not happen either.
    prefs = client.get("/v1/preferences", headers=as_user("alice")).json()
    assert prefs["channels"]["mention"] == "digest"


@pytest.mark.parametrize(
    "body",
    [
        {"channels": {"no_such_kind": "off"}},
        {"channels": {"mention": "carrier-pigeon"}},
        {"language": "de"},
        {"digest": "hourly"},
        {"email": "not an address"},
        {"colour": "blue"},
        [],
    ],
)
def test_bad_preferences_are_refused(client: TestClient, as_user: Headers, body: Any) -> None:
    answer = client.put("/v1/preferences", json=body, headers=as_user("alice"))

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_preferences_want_a_user(client: TestClient, as_service: dict[str, str]) -> None:
    assert client.get("/v1/preferences").status_code == 401
    assert client.put("/v1/preferences", json={}, headers=as_service).status_code == 403


def test_one_click_unsubscribe(app: Any, client: TestClient, as_user: Headers) -> None:
    signature = app.state.book.unsubscribe_signature("alice", "mention")

    done = client.post(f"/v1/unsubscribe?user=alice&kind=mention&sig={signature}")
    forged = client.post(f"/v1/unsubscribe?user=bob&kind=mention&sig={signature}")
    unknown = client.post(
        "/v1/unsubscribe?user=alice&kind=nothing&sig="
        + app.state.book.unsubscribe_signature("alice", "nothing")
    )

    assert done.status_code == 204
    assert (
        client.get("/v1/preferences", headers=as_user("alice")).json()["channels"]["mention"]
        == "in_app"
    )
    assert forged.status_code == 403
    assert unknown.status_code == 403


def test_unsubscribing_from_the_digest_moves_its_kinds_to_the_inbox(
    app: Any, client: TestClient, as_user: Headers
) -> None:
    signature = app.state.book.unsubscribe_signature("alice", "digest")

    assert client.post(f"/v1/unsubscribe?user=alice&kind=digest&sig={signature}").status_code == 204

    channels = client.get("/v1/preferences", headers=as_user("alice")).json()["channels"]
    assert "digest" not in channels.values()
    assert channels["acknowledgement_due"] == "email"
