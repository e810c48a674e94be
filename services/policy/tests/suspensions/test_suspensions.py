"""Suspensions: deny rules that override allows, on time, with history and explanation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from townhall_platform.testing import ManualClock


def _suspend(api: Any, by: str = "paul", **body: Any) -> Any:
    return api.client.post(
        "/v1/suspensions",
        json={"justification": "Harassment report under investigation", **body},
        headers=api.user(by),
    )


def test_a_suspension_overrides_every_allow_and_is_explained(api: Any) -> None:
    assert api.decide("bob", "post.social", "space:engineering")["allowed"] is True
    revision = api.revision()

    response = _suspend(api, subject="bob", domain="space:engineering", action="post.social")

    assert response.status_code == 201, response.text
    suspension = response.json()
    assert api.revision() == revision + 1
    refused = api.decide("bob", "post.social", "space:engineering")
    assert refused["allowed"] is False
    assert suspension["id"] in refused["reason"]["summary"]
    assert "Harassment report" in refused["reason"]["summary"]
    assert refused["reason"]["rule"].endswith("deny, deny")
    # Other actions and other spaces are untouched.
    assert api.decide("bob", "comment", "space:engineering")["allowed"] is True
    assert api.decide("bob", "post.social", "space:cafe")["allowed"] is True

    lifted = api.client.request(
        "DELETE",
        f"/v1/suspensions/{suspension['id']}",
        json={"justification": "Investigation closed"},
        headers=api.user("paul"),
    )
    assert lifted.status_code == 200
    assert lifted.json()["lifted_by"] == "paul"
    assert api.decide("bob", "post.social", "space:engineering")["allowed"] is True
    again = api.client.request(
        "DELETE",
        f"/v1/suspensions/{suspension['id']}",
        json={"justification": "Twice"},
        headers=api.user("paul"),
    )
    assert again.status_code == 409


def test_an_org_wide_suspension_denies_everything_everywhere(api: Any) -> None:
    response = _suspend(api, subject="david", domain="org")
    assert response.status_code == 201

    for action, domain in (("read", "org"), ("comment", "space:general"), ("react", "space:cafe")):
        assert api.decide("david", action, domain)["allowed"] is False
    history = api.client.get(
        "/v1/suspensions", params={"subject": "david"}, headers=api.user("olivier")
    )
    assert [s["id"] for s in history.json()["suspensions"]] == [response.json()["id"]]


def test_a_time_bounded_suspension_ends_on_time(clocked_api: tuple[Any, ManualClock]) -> None:
    api, clock = clocked_api
    starts, ends = clock.now, clock.at(3600)
    response = _suspend(
        api,
        subject="gaelle",
        domain="space:cafe",
        action="react",
        valid_from=starts.isoformat(),
        valid_to=ends.isoformat(),
    )
    assert response.status_code == 201
    assert api.decide("gaelle", "react", "space:cafe")["allowed"] is False

    clock.now = ends - timedelta(seconds=1)
    assert api.decide("gaelle", "react", "space:cafe")["allowed"] is False
    clock.now = ends
    assert api.decide("gaelle", "react", "space:cafe")["allowed"] is True


def test_a_space_moderator_suspends_in_their_space_only(api: Any) -> None:
    # bob owns engineering (owners moderate); he may not suspend in cafe.
    here = _suspend(api, by="bob", subject="farid", domain="space:engineering", action="comment")
    there = _suspend(api, by="bob", subject="farid", domain="space:cafe", action="comment")
    org = _suspend(api, by="nadia", subject="farid", domain="org")

    assert here.status_code == 201
    assert there.status_code == 403
    assert org.status_code == 403
    assert "policy_admin" in org.json()["reason"]["missing"]


def test_bad_suspensions_are_precise_problems(api: Any) -> None:
    revision = api.revision()
    cases = [
        ({"subject": "nobody", "domain": "org"}, 422, "unknown-subject"),
        ({"subject": "bob", "domain": "space:nowhere"}, 422, "unknown-domain"),
        ({"subject": "bob", "domain": "org", "action": "fly"}, 422, "validation-failed"),
        ({"subject": "engineering", "domain": "org"}, 422, "not-a-group"),
        ({"subject": "paul", "domain": "org"}, 403, "self-suspension"),
        (
            {
                "subject": "bob",
                "domain": "org",
                "valid_from": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
                "valid_to": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            },
            422,
            "invalid-validity",
        ),
    ]
    for body, status, slug in cases:
        response = _suspend(api, **body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["type"].endswith("/" + slug), response.json()
    assert _suspend(api, subject="bob", domain="org", justification="").status_code == 422
    assert api.revision() == revision


@pytest.mark.parametrize(
    ("domain", "instead"),
    [
        ("space:engineering", "every employee reads a public space"),
        ("space:projet-phoenix", "remove the membership"),
    ],
)
@pytest.mark.parametrize("action", ["read", None])
def test_reading_is_suspended_in_org_only(
    api: Any, domain: str, instead: str, action: str | None
) -> None:
    """The readers rule grants reading a public space through `org` and every space to
    compliance through `auditor:org`: no principal could carry a refusal to read in one
    space alone, so policy would refuse what publishing and search serve. Policy refuses
    such a suspension, says what to do instead, and changes nothing."""
    revision = api.revision()
    body = {"subject": "bob", "domain": domain}
    if action is not None:
        body["action"] = action

    response = _suspend(api, **body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/read-suspension-in-space")
    assert instead in problem["detail"]
    assert "Suspend bob from read in org" in problem["detail"]
    assert api.revision() == revision
    assert api.decide("bob", "read", domain)["allowed"] is True
    listed = api.client.get(
        "/v1/suspensions", params={"subject": "bob"}, headers=api.user("olivier")
    ).json()["suspensions"]
    assert [s for s in listed if s["domain"] == domain and s["lifted_at"] is None] == []


def test_taking_part_is_still_suspended_in_one_space(api: Any) -> None:
    response = _suspend(api, subject="bob", domain="space:engineering", action="comment")

    assert response.status_code == 201, response.text
    assert api.decide("bob", "comment", "space:engineering")["allowed"] is False
    assert api.decide("bob", "read", "space:engineering")["allowed"] is True
    lifted = api.client.request(
        "DELETE",
        f"/v1/suspensions/{response.json()['id']}",
        json={"justification": "Test over"},
        headers=api.user("paul"),
    )
    assert lifted.status_code == 200, lifted.text
