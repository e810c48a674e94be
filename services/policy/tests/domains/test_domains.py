"""`PUT /internal/v1/domains/{domain}`: publishing registers its spaces."""

from __future__ import annotations

from typing import Any

import pytest

HUGO = {"on_behalf_of": "hugo"}


def _put(api: Any, domain: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return api.client.put(
        f"/internal/v1/domains/{domain}", json=body, headers=headers or api.service
    )


def test_registering_a_space_bumps_the_revision_once(api: Any) -> None:
    before = api.revision()

    first = _put(
        api, "space:atelier", {"kind": "community", "visibility": "public", "on_behalf_of": "hugo"}
    )
    again = _put(
        api, "space:atelier", {"kind": "community", "visibility": "public", "on_behalf_of": "hugo"}
    )

    assert first.status_code == again.status_code == 200
    assert first.json()["domain_class"] == "community-public"
    assert again.json() == first.json()
    assert api.revision() == before + 1
    assert api.decide("hugo", "post.social", "space:atelier")["allowed"] is True


def test_changing_visibility_changes_decisions(api: Any) -> None:
    _put(api, "space:board", {"kind": "community", "visibility": "public", "on_behalf_of": "hugo"})
    assert api.decide("hugo", "read", "space:board")["allowed"] is True
    before = api.revision()

    api.grant("hugo", "owner", "space:board")

    changed = _put(
        api,
        "space:board",
        {"kind": "community", "visibility": "restricted", "on_behalf_of": "hugo"},
    )

    assert changed.status_code == 200
    assert changed.json()["domain_class"] == "community-restricted"
    assert api.revision() == before + 2  # the grant, the change
    decision = api.decide("david", "read", "space:board")
    assert decision["allowed"] is False
    assert decision["reason"]["missing"] == "needs role member in space:board"
    assert api.decide("hugo", "read", "space:board")["allowed"] is True


def test_an_announcement_space_takes_official_posts_only(api: Any) -> None:
    _put(
        api,
        "space:news",
        {"kind": "announcement", "visibility": "public", "on_behalf_of": "claire"},
    )

    assert api.decide("claire", "publish.official", "space:news")["allowed"] is True
    assert api.decide("hugo", "post.social", "space:news")["allowed"] is False
    assert api.decide("hugo", "comment", "space:news")["allowed"] is True


@pytest.mark.parametrize(
    ("domain", "body", "problem_type"),
    [
        ("org", {**HUGO, "kind": "community", "visibility": "public"}, "invalid-space-domain"),
        (
            "space:Not_Valid!",
            {**HUGO, "kind": "community", "visibility": "public"},
            "invalid-space-domain",
        ),
        ("space:ok", {**HUGO, "kind": "forum", "visibility": "public"}, "validation-failed"),
        ("space:ok", {**HUGO, "kind": "community", "visibility": "secret"}, "validation-failed"),
        (
            "space:ok",
            {**HUGO, "kind": "community", "visibility": "public", "x": 1},
            "validation-failed",
        ),
    ],
)
def test_invalid_registrations_are_422(
    api: Any, domain: str, body: dict[str, Any], problem_type: str
) -> None:
    before = api.revision()

    response = _put(api, domain, body)

    assert response.status_code == 422
    assert response.json()["type"].endswith(f"/{problem_type}")
    assert api.revision() == before


def test_user_tokens_may_not_register_domains(api: Any) -> None:
    response = _put(
        api, "space:mine", {**HUGO, "kind": "community", "visibility": "public"}, api.user("paul")
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def _events_of(api: Any, domain: str) -> list[dict[str, Any]]:
    response = api.client.get(
        "/v1/audit/events", params={"limit": 1000}, headers=api.user("olivier")
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["events"] if e["target"] == f"domain:{domain}"]


def test_a_service_registers_a_space_for_a_human_who_may_create_one(api: Any) -> None:
    """The service is a relay: who asked must be allowed `manage.space` in org (to create)
    and the event is theirs."""
    before = api.revision()

    refused = _put(
        api,
        "space:contractors",
        {"kind": "community", "visibility": "public", "on_behalf_of": "zoe"},
    )

    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "needs role employee in org" in refused.json()["detail"]
    assert api.revision() == before
    assert _events_of(api, "space:contractors") == []

    created = _put(
        api,
        "space:contractors",
        {"kind": "community", "visibility": "public", "on_behalf_of": "hugo"},
    )

    assert created.status_code == 200, created.text
    [event] = _events_of(api, "space:contractors")
    assert event["actor"] == "hugo"
    assert event["payload"]["via"] == "service:publishing"


def test_only_who_manages_a_space_changes_its_visibility(api: Any) -> None:
    before = api.revision()
    body = {"kind": "community", "visibility": "restricted"}

    # alice is a member of engineering, bob its owner.
    refused = _put(api, "space:engineering", {**body, "on_behalf_of": "alice"})

    assert refused.status_code == 403, refused.text
    assert "needs role owner in space:engineering" in refused.json()["detail"]
    assert api.revision() == before
    assert api.decide("hugo", "read", "space:engineering")["allowed"] is True

    changed = _put(api, "space:engineering", {**body, "on_behalf_of": "bob"})
    assert changed.status_code == 200, changed.text
    assert _events_of(api, "space:engineering")[-1]["actor"] == "bob"
    restored = _put(
        api, "space:engineering", {**body, "visibility": "public", "on_behalf_of": "bob"}
    )
    assert restored.status_code == 200, restored.text


def test_a_registration_names_the_human_who_asked(api: Any) -> None:
    response = _put(api, "space:nobody", {"kind": "community", "visibility": "public"})

    assert response.status_code == 422
    assert response.json()["type"].endswith("/validation-failed")
