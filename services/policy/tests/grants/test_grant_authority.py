"""Who may change what: policy admins in org, owners for their space, duties kept apart."""

from __future__ import annotations

from typing import Any


def _post(api: Any, by: str, **body: Any) -> Any:
    return api.client.post(
        "/v1/grants",
        json={"justification": "Joins the project team", **body},
        headers=api.user(by),
    )


def test_an_owner_grants_member_in_their_space(api: Any) -> None:
    assert api.decide("david", "post.social", "space:projet-phoenix")["allowed"] is False

    # alice owns projet-phoenix.
    response = _post(api, "alice", subject="david", role="member", domain="space:projet-phoenix")

    assert response.status_code == 201, response.text
    assert response.json()["granted_by"] == "alice"
    assert api.decide("david", "post.social", "space:projet-phoenix")["allowed"] is True
    revoked = api.client.request(
        "DELETE",
        f"/v1/grants/{response.json()['id']}",
        json={"justification": "Left the project"},
        headers=api.user("alice"),
    )
    assert revoked.status_code == 200
    assert api.decide("david", "post.social", "space:projet-phoenix")["allowed"] is False


def test_an_owner_grants_moderator_but_not_owner(api: Any) -> None:
    moderator = _post(api, "alice", subject="bob", role="moderator", domain="space:projet-phoenix")
    owner = _post(api, "alice", subject="bob", role="owner", domain="space:projet-phoenix")

    assert moderator.status_code == 201
    assert owner.status_code == 403
    assert owner.json()["reason"]["missing"] == "needs role policy_admin in org"


def test_an_owner_changes_nothing_outside_their_space(api: Any) -> None:
    revision = api.revision()
    response = _post(api, "alice", subject="david", role="member", domain="space:hr-confidential")

    assert response.status_code == 403
    assert "owner in space:hr-confidential" in response.json()["reason"]["missing"]
    assert api.revision() == revision


def test_a_policy_admin_may_not_become_approver(api: Any) -> None:
    revision = api.revision()
    # paul is policy admin; another admin would have to grant, so grant admin to farid first.
    admin = api.grant("farid", "policy_admin", "org")

    response = _post(api, "paul", subject="farid", role="approver", domain="org")

    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("/separation-of-duties")
    assert problem["conflicting_grant_id"] == admin["id"]
    assert "separation of duties" in problem["detail"]
    assert api.revision() == revision + 1
    api.revoke(admin["id"])


def test_an_approver_may_not_become_policy_admin(api: Any) -> None:
    response = _post(api, "paul", subject="marc", role="policy_admin", domain="org")

    assert response.status_code == 409
    assert response.json()["conflicting_role"] == "approver"


def test_a_compliance_officer_may_not_become_policy_admin(api: Any) -> None:
    response = _post(api, "paul", subject="olivier", role="policy_admin", domain="org")

    assert response.status_code == 409
    assert response.json()["conflicting_role"] == "compliance_officer"


def test_compliance_officers_grant_nothing(api: Any) -> None:
    response = _post(api, "olivier", subject="bob", role="member", domain="space:cafe")

    assert response.status_code == 403
    problem = response.json()
    assert problem["type"].endswith("/permission-denied")
    assert "compliance_officer in org forbids" in problem["detail"]


def test_a_group_holding_approver_may_not_gain_a_policy_admin_member(api: Any) -> None:
    """Groups hold roles here, so duties are kept apart through them too."""
    admin = api.grant("farid", "policy_admin", "org")  # farid is in operations
    revision = api.revision()

    response = _post(api, "paul", subject="operations", role="approver", domain="org")

    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("/separation-of-duties")
    assert problem["conflicting_grant_id"] == admin["id"]
    assert "member of group operations" in problem["detail"]
    assert api.revision() == revision
    api.revoke(admin["id"])


def test_joining_a_group_may_not_give_a_policy_admin_the_approver_role(api: Any) -> None:
    approvers = api.grant("hr", "approver", "org")
    revision = api.revision()

    # paul (policy admin) would become approver through hr; he may not join it.
    joined = api.client.put(
        "/v1/directory/subjects/paul",
        json={
            "display_name": "Paul Fournier",
            "department": "it",
            "groups": ["hr"],
            "justification": "Joins HR",
        },
        headers=api.user("paul"),
    )
    assert joined.status_code == 409, joined.text
    assert joined.json()["conflicting_role"] == "policy_admin"
    assert "joining group hr" in joined.json()["detail"]
    assert api.revision() == revision
    assert (
        "group:hr"
        not in api.client.get("/v1/subjects/paul/principals", headers=api.service).json()[
            "principals"
        ]
    )
    api.revoke(approvers["id"])


def test_without_a_clash_a_group_grant_reaches_its_members(api: Any) -> None:
    granted = _post(api, "paul", subject="operations", role="approver", domain="org")
    assert granted.status_code == 201, granted.text
    decision = api.decide("hugo", "approve.official", "space:general")
    assert decision["allowed"] is True
    assert "through group operations" in decision["reason"]["summary"]
    api.revoke(granted.json()["id"])
