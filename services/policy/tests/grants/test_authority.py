"""Issue 14: one authority check for every grant, whoever relays it; nobody lifts their own
suspension; the last policy admin stays; every directory change says why."""

from __future__ import annotations

from typing import Any

import pytest

WHY = "Authority test"


def _relay(api: Any, on_behalf_of: str, subject: str, role: str, domain: str) -> Any:
    return api.client.post(
        "/internal/v1/grants",
        json={
            "subject": subject,
            "role": role,
            "domain": domain,
            "on_behalf_of": on_behalf_of,
            "justification": WHY,
        },
        headers=api.service,
    )


def _direct(api: Any, by: str, subject: str, role: str, domain: str) -> Any:
    return api.client.post(
        "/v1/grants",
        json={"subject": subject, "role": role, "domain": domain, "justification": WHY},
        headers=api.user(by),
    )


def _register(api: Any, space: str, kind: str = "community") -> str:
    domain = f"space:{space}"
    registered = api.client.put(
        f"/internal/v1/domains/{domain}",
        json={"kind": kind, "visibility": "restricted", "on_behalf_of": "claire"},
        headers=api.service,
    )
    assert registered.status_code == 200, registered.text
    return domain


def _active_grants(api: Any, subject: str, domain: str) -> list[dict[str, Any]]:
    response = api.client.get(
        "/v1/grants", params={"subject": subject, "domain": domain}, headers=api.user("paul")
    )
    assert response.status_code == 200, response.text
    return [g for g in response.json()["grants"] if g["active"]]


@pytest.mark.parametrize("send", [_relay, _direct], ids=["relayed", "direct"])
def test_an_owner_grants_no_owner_and_nothing_to_themselves(api: Any, send: Any) -> None:
    """Case 3: the relay is held to the checks of `/v1/grants` (alice owns projet-phoenix)."""
    revision = api.revision()

    owner = send(api, "alice", "david", "owner", "space:projet-phoenix")
    myself = send(api, "alice", "alice", "moderator", "space:projet-phoenix")
    # engineering (alice, bob) holds no role there: a grant to it would reach alice.
    my_group = send(api, "alice", "engineering", "moderator", "space:projet-phoenix")

    assert owner.status_code == 403, owner.text
    assert owner.json()["reason"]["missing"] == "needs role policy_admin in org"
    assert myself.status_code == 403, myself.text
    assert myself.json()["type"].endswith("/self-grant")
    assert my_group.status_code == 403, my_group.text
    assert my_group.json()["type"].endswith("/self-grant")
    assert "group engineering" in my_group.json()["detail"]
    assert api.revision() == revision
    assert _active_grants(api, "david", "space:projet-phoenix") == []


@pytest.mark.parametrize("send", [_relay, _direct], ids=["relayed", "direct"])
def test_a_compliance_officer_grants_nothing_even_as_an_owner(api: Any, send: Any) -> None:
    made = api.grant("olivier", "owner", "space:cafe")
    revision = api.revision()

    response = send(api, "olivier", "hugo", "moderator", "space:cafe")

    assert response.status_code == 403, response.text
    reason = response.json()["reason"]
    assert reason["rule"] == "compliance_officer, community-public, manage.members, org, deny"
    assert api.revision() == revision
    api.revoke(made["id"])


def test_a_relayed_grant_is_recorded_as_the_human_s_through_the_service(api: Any) -> None:
    response = _relay(api, "alice", "david", "member", "space:projet-phoenix")

    assert response.status_code == 201, response.text
    grant = response.json()
    assert grant["granted_by"] == "alice"
    events = api.client.get(
        "/v1/audit/events",
        params={"target": f"grant:{grant['id']}"},
        headers=api.user("olivier"),
    ).json()["events"]
    assert [(e["actor"], e["payload"]["via"]) for e in events] == [("alice", "service:publishing")]
    api.revoke(grant["id"])


def test_the_creator_of_a_new_space_founds_it_and_nobody_founds_it_again(api: Any) -> None:
    domain = _register(api, "founded")

    stranger = _relay(api, "david", "david", "owner", domain)  # alone, he founds it
    second = _relay(api, "hugo", "hugo", "owner", domain)
    retried = _relay(api, "david", "david", "owner", domain)
    direct = _direct(api, "emma", "emma", "owner", _register(api, "unfounded"))

    assert stranger.status_code == 201, stranger.text
    assert second.status_code == 403, second.text
    assert retried.status_code == 200 and retried.json()["id"] == stranger.json()["id"]
    # Founding is the relay of a space's creation: a human cannot found on their own.
    assert direct.status_code == 403, direct.text
    # An owner revoked is never founded back.
    api.revoke(stranger.json()["id"])
    again = _relay(api, "david", "david", "owner", domain)
    assert again.status_code == 403, again.text


@pytest.mark.parametrize(
    ("founder", "kind", "refused_for"),
    [
        ("olivier", "community", "compliance_officer, org, manage.space, org, deny"),
        ("zoe", "community", None),
        ("alice", "announcement", None),
    ],
)
def test_who_may_not_create_a_space_founds_none(
    api: Any, founder: str, kind: str, refused_for: str | None
) -> None:
    domain = _register(api, f"nofound-{founder}", kind)

    response = _relay(api, founder, founder, "owner", domain)

    assert response.status_code == 403, response.text
    if refused_for is not None:
        assert response.json()["reason"]["rule"] == refused_for
    assert _active_grants(api, founder, domain) == []


def test_nobody_lifts_their_own_suspension(api: Any) -> None:
    """Case 5: bob owns engineering (so he moderates it) and is suspended there."""
    suspended = api.client.post(
        "/v1/suspensions",
        json={
            "subject": "bob",
            "domain": "space:engineering",
            "action": "post.social",
            "justification": "Spam under review",
        },
        headers=api.user("nadia"),
    )
    assert suspended.status_code == 201, suspended.text
    path = f"/v1/suspensions/{suspended.json()['id']}"
    revision = api.revision()

    own = api.client.request(
        "DELETE", path, json={"justification": "I disagree"}, headers=api.user("bob")
    )

    assert own.status_code == 403, own.text
    assert own.json()["type"].endswith("/self-lift")
    assert api.revision() == revision
    assert api.decide("bob", "post.social", "space:engineering")["allowed"] is False
    lifted = api.client.request(
        "DELETE", path, json={"justification": "Reviewed: no spam"}, headers=api.user("nadia")
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["lifted_by"] == "nadia"


def test_the_last_policy_admin_neither_leaves_nor_loses_the_role(api: Any) -> None:
    admin_grants = [g for g in _active_grants(api, "paul", "org") if g["role"] == "policy_admin"]
    assert len(admin_grants) == 1
    revision = api.revision()

    deactivated = api.client.request(
        "DELETE",
        "/v1/directory/subjects/paul",
        json={"justification": "Leaves the company"},
        headers=api.user("paul"),
    )
    patched = api.client.patch(
        "/v1/directory/subjects/paul",
        json={"active": False, "justification": "Leaves the company"},
        headers=api.user("paul"),
    )
    revoked = api.client.request(
        "DELETE",
        f"/v1/grants/{admin_grants[0]['id']}",
        json={"justification": "Steps down"},
        headers=api.user("paul"),
    )

    for response in (deactivated, patched, revoked):
        assert response.status_code == 409, response.text
        assert response.json()["type"].endswith("/last-policy-admin")
    assert api.revision() == revision
    assert api.decide("paul", "grants.manage", "org")["allowed"] is True

    # With a second admin, either may go.
    farid = api.grant("farid", "policy_admin", "org")
    stepped_down = api.client.request(
        "DELETE",
        f"/v1/grants/{farid['id']}",
        json={"justification": "Interim over"},
        headers=api.user("paul"),
    )
    assert stepped_down.status_code == 200, stepped_down.text


def test_the_last_policy_admin_holding_it_through_a_group_stays_in_it(api: Any) -> None:
    """A group holding policy_admin counts by its active members."""
    created = api.client.post(
        "/v1/directory/subjects",
        json={
            "id": "policy-team",
            "kind": "group",
            "display_name": "Policy team",
            "group_type": "team",
            "justification": WHY,
        },
        headers=api.user("paul"),
    )
    assert created.status_code == 201, created.text
    joined = api.client.patch(
        "/v1/directory/subjects/gaelle",
        json={"groups": ["sales", "policy-team"], "justification": WHY},
        headers=api.user("paul"),
    )
    assert joined.status_code == 200, joined.text
    team = api.grant("policy-team", "policy_admin", "org")
    [paul_admin] = [g for g in _active_grants(api, "paul", "org") if g["role"] == "policy_admin"]
    assert api.revoke(paul_admin["id"], by="gaelle")["revoked_by"] == "gaelle"

    left = api.client.patch(
        "/v1/directory/subjects/gaelle",
        json={"groups": ["sales"], "justification": "Leaves the team"},
        headers=api.user("gaelle"),
    )
    group_gone = api.client.request(
        "DELETE",
        "/v1/directory/subjects/policy-team",
        json={"justification": "Team dissolved"},
        headers=api.user("gaelle"),
    )

    assert left.status_code == 409, left.text
    assert left.json()["type"].endswith("/last-policy-admin")
    assert group_gone.status_code == 409, group_gone.text
    # Put paul back, then the team may go.
    api.grant("paul", "policy_admin", "org", by="gaelle")
    api.revoke(team["id"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/directory/subjects", {"id": "nojust", "display_name": "No"}),
        ("PUT", "/v1/directory/subjects/hugo", {"display_name": "Hugo", "groups": []}),
        ("PATCH", "/v1/directory/subjects/hugo", {"groups": []}),
        ("PATCH", "/v1/directory/subjects/hugo", {"active": False, "justification": "  "}),
        ("DELETE", "/v1/directory/subjects/hugo", {}),
    ],
)
def test_a_directory_change_without_a_justification_changes_nothing(
    api: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    revision = api.revision()

    response = api.client.request(method, path, json=body, headers=api.user("paul"))

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"] == ["body", "justification"]
    assert api.revision() == revision
    assert api.decide("hugo", "read", "org")["allowed"] is True


def test_an_import_without_a_justification_changes_nothing(api: Any) -> None:
    revision = api.revision()

    response = api.client.post(
        "/v1/directory/import",
        content="id,display_name,active\nhugo,Hugo Lambert,false\n",
        headers={**api.user("paul"), "Content-Type": "text/csv"},
    )

    assert response.status_code == 422, response.text
    assert api.revision() == revision


def test_each_directory_change_records_its_justification(api: Any) -> None:
    admin = api.user("paul")
    moved = api.client.patch(
        "/v1/directory/subjects/hugo",
        json={"groups": ["sales"], "justification": "Moves to sales"},
        headers=admin,
    )
    left = api.client.request(
        "DELETE",
        "/v1/directory/subjects/hugo",
        json={"justification": "End of contract"},
        headers=admin,
    )
    back = api.client.patch(
        "/v1/directory/subjects/hugo",
        json={"active": True, "groups": ["operations"], "justification": "Rehired"},
        headers=admin,
    )
    assert (moved.status_code, left.status_code, back.status_code) == (200, 200, 200)

    events = api.client.get(
        "/v1/audit/events", params={"target": "subject:hugo"}, headers=api.user("olivier")
    ).json()["events"]
    recorded = [(e["event_type"], e["justification"]) for e in events if e["actor"] == "paul"]
    assert recorded == [
        ("membership.added", "Moves to sales"),
        ("membership.removed", "Moves to sales"),
        ("subject.deactivated", "End of contract"),
        ("membership.added", "Rehired"),
        ("membership.removed", "Rehired"),
        ("subject.reactivated", "Rehired"),
    ]


def test_who_can_leaves_out_whom_a_role_forbids(api: Any) -> None:
    response = api.client.get(
        "/v1/audit/who-can",
        params={"action": "manage.space", "domain": "org"},
        headers=api.user("olivier"),
    )

    assert response.status_code == 200, response.text
    subjects = set(response.json()["subjects"])
    assert "hugo" in subjects and "olivier" not in subjects


def test_an_admin_suspended_from_granting_is_no_admin_left(api: Any) -> None:
    farid = api.grant("farid", "policy_admin", "org")
    suspended = api.client.post(
        "/v1/suspensions",
        json={"subject": "farid", "domain": "org", "justification": "Under review"},
        headers=api.user("paul"),
    )
    assert suspended.status_code == 201, suspended.text
    revision = api.revision()

    leaving = api.client.request(
        "DELETE",
        "/v1/directory/subjects/paul",
        json={"justification": "Leaves the company"},
        headers=api.user("paul"),
    )

    assert leaving.status_code == 409, leaving.text
    assert leaving.json()["type"].endswith("/last-policy-admin")
    assert api.revision() == revision
    lifted = api.client.request(
        "DELETE",
        f"/v1/suspensions/{suspended.json()['id']}",
        json={"justification": "Review over"},
        headers=api.user("paul"),
    )
    assert lifted.status_code == 200, lifted.text
    api.revoke(farid["id"])
