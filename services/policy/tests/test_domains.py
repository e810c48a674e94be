"""`PUT /internal/v1/domains/{domain}`: publishing registers its spaces."""

from __future__ import annotations

from typing import Any

import pytest


def _put(api: Any, domain: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return api.client.put(
        f"/internal/v1/domains/{domain}", json=body, headers=headers or api.service
    )


def test_registering_a_space_bumps_the_revision_once(api: Any) -> None:
    before = api.revision()

    first = _put(api, "space:atelier", {"kind": "community", "visibility": "public"})
    again = _put(api, "space:atelier", {"kind": "community", "visibility": "public"})

    assert first.status_code == again.status_code == 200
    assert first.json()["domain_class"] == "community-public"
    assert again.json() == first.json()
    assert api.revision() == before + 1
    assert api.decide("hugo", "post.social", "space:atelier")["allowed"] is True


def test_changing_visibility_changes_decisions(api: Any) -> None:
    _put(api, "space:board", {"kind": "community", "visibility": "public"})
    assert api.decide("hugo", "read", "space:board")["allowed"] is True
    before = api.revision()

    changed = _put(api, "space:board", {"kind": "community", "visibility": "restricted"})

    assert changed.status_code == 200
    assert changed.json()["domain_class"] == "community-restricted"
    assert api.revision() == before + 1
    decision = api.decide("hugo", "read", "space:board")
    assert decision["allowed"] is False
    assert decision["reason"]["missing"] == "needs role member in space:board"


def test_an_announcement_space_takes_official_posts_only(api: Any) -> None:
    _put(api, "space:news", {"kind": "announcement", "visibility": "public"})

    assert api.decide("claire", "publish.official", "space:news")["allowed"] is True
    assert api.decide("hugo", "post.social", "space:news")["allowed"] is False
    assert api.decide("hugo", "comment", "space:news")["allowed"] is True


@pytest.mark.parametrize(
    ("domain", "body", "problem_type"),
    [
        ("org", {"kind": "community", "visibility": "public"}, "invalid-space-domain"),
        ("space:Not_Valid!", {"kind": "community", "visibility": "public"}, "invalid-space-domain"),
        ("space:ok", {"kind": "forum", "visibility": "public"}, "validation-failed"),
        ("space:ok", {"kind": "community", "visibility": "secret"}, "validation-failed"),
        ("space:ok", {"kind": "community", "visibility": "public", "x": 1}, "validation-failed"),
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
        api, "space:mine", {"kind": "community", "visibility": "public"}, api.user("paul")
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
