"""Granting, listing and revoking: history kept, revision bumped, duties separated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, func, select

from townhall_platform.db import make_engine
from townhall_policy.holdings.grants.models import Grant


def _grant_rows(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(Grant)).one())
    finally:
        engine.dispose()


def test_granting_a_role_takes_effect_and_bumps_the_revision(api: Any) -> None:
    before = api.revision()
    assert api.decide("bob", "publish.official", "space:general")["allowed"] is False

    grant = api.grant("bob", "communicator", "org")

    assert grant["subject"] == "bob"
    assert grant["granted_by"] == "paul"
    assert grant["justification"] == "Test grant of communicator to bob"
    assert grant["active"] is True
    assert grant["revoked_at"] is None
    assert api.revision() == before + 1
    decision = api.decide("bob", "publish.official", "space:general")
    assert decision["allowed"] is True
    assert decision["reason"]["grant"]["id"] == grant["id"]
    assert decision["reason"]["grant"]["granted_by"] == "paul"
    assert decision["policy_revision"] == before + 1


def test_revocation_keeps_history(api: Any) -> None:
    grant = api.grant("farid", "spokesperson", "org")
    granted_revision = api.revision()
    between = datetime.now(UTC)

    revoked = api.revoke(grant["id"])

    assert revoked["id"] == grant["id"]
    assert revoked["revoked_by"] == "paul"
    assert revoked["revocation_justification"] == "Test revocation"
    assert revoked["revoked_at"] is not None
    assert revoked["active"] is False
    assert api.revision() == granted_revision + 1
    assert api.decide("farid", "answer.official", "space:cafe")["allowed"] is False
    history = api.client.get(
        "/v1/grants",
        params={"subject": "farid", "role": "spokesperson"},
        headers=api.user("olivier"),
    ).json()["grants"]
    assert [(g["id"], g["justification"], g["revoked_by"]) for g in history] == [
        (grant["id"], grant["justification"], "paul")
    ]
    at_the_time = api.client.get(
        "/v1/grants",
        params={"subject": "farid", "active_at": between.isoformat()},
        headers=api.user("olivier"),
    ).json()["grants"]
    assert grant["id"] in {g["id"] for g in at_the_time}
    now = api.client.get(
        "/v1/grants",
        params={"subject": "farid", "active_at": datetime.now(UTC).isoformat()},
        headers=api.user("olivier"),
    ).json()["grants"]
    assert grant["id"] not in {g["id"] for g in now}


def test_revoking_twice_is_a_conflict_and_changes_nothing(api: Any) -> None:
    grant = api.grant("emma", "spokesperson", "org")
    api.revoke(grant["id"])
    revision = api.revision()

    response = api.client.request(
        "DELETE",
        f"/v1/grants/{grant['id']}",
        json={"justification": "Again"},
        headers=api.user("paul"),
    )

    assert response.status_code == 409
    assert response.json()["type"].endswith("/grant-already-revoked")
    assert api.revision() == revision


def test_revocation_justification_may_be_a_query_parameter(api: Any) -> None:
    grant = api.grant("david", "spokesperson", "org")

    response = api.client.delete(
        f"/v1/grants/{grant['id']}",
        params={"justification": "Left the programme"},
        headers=api.user("paul"),
    )

    assert response.status_code == 200
    assert response.json()["revocation_justification"] == "Left the programme"


def test_revocation_without_justification_is_refused(api: Any) -> None:
    grant = api.grant("chloe", "spokesperson", "org")

    response = api.client.delete(f"/v1/grants/{grant['id']}", headers=api.user("paul"))

    assert response.status_code == 422
    assert api.decide("chloe", "answer.official", "space:cafe")["allowed"] is True


def test_revoking_an_unknown_grant_is_404(api: Any) -> None:
    response = api.client.delete(
        "/v1/grants/00000000-0000-0000-0000-000000000000",
        params={"justification": "No such grant"},
        headers=api.user("paul"),
    )

    assert response.status_code == 404
    assert response.json()["type"].endswith("/grant-not-found")


def test_nobody_grants_to_themselves(api: Any, settings: Any) -> None:
    revision, rows = api.revision(), _grant_rows(settings.database_url)

    response = api.client.post(
        "/v1/grants",
        json={
            "subject": "paul",
            "role": "communicator",
            "domain": "org",
            "justification": "I would like to publish",
        },
        headers=api.user("paul"),
    )

    assert response.status_code == 403
    problem = response.json()
    assert problem["type"].endswith("/self-grant")
    assert "may not grant communicator in org to themselves" in problem["detail"]
    assert (api.revision(), _grant_rows(settings.database_url)) == (revision, rows)


def test_only_policy_admins_grant(api: Any) -> None:
    response = api.client.post(
        "/v1/grants",
        json={
            "subject": "bob",
            "role": "approver",
            "domain": "org",
            "justification": "Needs to approve",
        },
        headers=api.user("alice"),
    )

    assert response.status_code == 403
    problem = response.json()
    assert problem["type"].endswith("/permission-denied")
    assert problem["reason"]["missing"] == "needs role policy_admin in org"
    assert problem["decision_id"]
    assert problem["policy_revision"] == api.revision()


def test_only_policy_admins_revoke(api: Any) -> None:
    grant = api.grant("gaelle", "spokesperson", "org")

    response = api.client.delete(
        f"/v1/grants/{grant['id']}", params={"justification": "Nope"}, headers=api.user("marc")
    )

    assert response.status_code == 403
    assert response.json()["reason"]["missing"] == "needs role policy_admin in org"


def test_compliance_officers_change_nothing(api: Any) -> None:
    grant = api.grant("david", "spokesperson", "org")
    before = api.revision()

    response = api.client.delete(
        f"/v1/grants/{grant['id']}", params={"justification": "Nope"}, headers=api.user("olivier")
    )

    assert response.status_code == 403
    problem = response.json()
    assert problem["type"].endswith("/permission-denied")
    assert problem["reason"]["rule"] == "compliance_officer, org, grants.manage, org, deny"
    assert problem["reason"]["grant"]["role"] == "compliance_officer"
    assert api.revision() == before
    api.revoke(grant["id"])  # the module's other tests grant david this role too


@pytest.mark.parametrize("reader", ["olivier", "paul"])
def test_compliance_officers_and_policy_admins_list_grants(api: Any, reader: str) -> None:
    response = api.client.get(
        "/v1/grants", params={"domain": "space:projet-phoenix"}, headers=api.user(reader)
    )

    assert response.status_code == 200
    held = {(g["subject"], g["role"]) for g in response.json()["grants"]}
    assert {("alice", "member"), ("bob", "member"), ("zoe", "member"), ("alice", "owner")} <= held


def test_others_may_not_list_grants(api: Any) -> None:
    response = api.client.get("/v1/grants", headers=api.user("claire"))

    assert response.status_code == 403
    assert response.json()["reason"]["missing"] == "needs role compliance_officer in org"


def test_service_tokens_may_not_use_the_admin_endpoints(api: Any) -> None:
    assert api.client.get("/v1/grants", headers=api.service).status_code == 403


def test_a_time_bounded_grant_records_its_validity(api: Any) -> None:
    starts = datetime.now(UTC) + timedelta(days=1)
    ends = starts + timedelta(days=7)

    grant = api.grant(
        "hugo", "spokesperson", "org", valid_from=starts.isoformat(), valid_to=ends.isoformat()
    )

    assert grant["active"] is False
    assert datetime.fromisoformat(grant["valid_from"]) == starts
    assert datetime.fromisoformat(grant["valid_to"]) == ends
    assert api.decide("hugo", "answer.official", "space:cafe")["allowed"] is False


@pytest.mark.parametrize(
    ("change", "status", "problem_type"),
    [
        ({"justification": "no"}, 422, "validation-failed"),
        ({"justification": "x" * 1001}, 422, "validation-failed"),
        ({"justification": "   "}, 422, "validation-failed"),
        ({"role": "emperor"}, 422, "validation-failed"),
        ({"role": "member", "domain": "org"}, 422, "role-domain-mismatch"),
        ({"role": "approver", "domain": "space:cafe"}, 422, "role-domain-mismatch"),
        ({"domain": "space:nowhere"}, 422, "unknown-domain"),
        ({"subject": "nobody"}, 422, "unknown-subject"),
        ({"role": "employee"}, 409, "duplicate-grant"),
        (
            {"valid_from": "2030-01-02T00:00:00Z", "valid_to": "2030-01-01T00:00:00Z"},
            422,
            "invalid-validity",
        ),
        ({"valid_from": "2020-01-01T00:00:00Z"}, 422, "invalid-validity"),
        ({"surprise": True}, 422, "validation-failed"),
    ],
)
def test_a_refused_grant_writes_nothing(
    api: Any, settings: Any, change: dict[str, Any], status: int, problem_type: str
) -> None:
    body = {
        "subject": "bob",
        "role": "moderator",
        "domain": "org",
        "justification": "Covers the summer",
        **change,
    }
    revision, rows = api.revision(), _grant_rows(settings.database_url)

    response = api.client.post("/v1/grants", json=body, headers=api.user("paul"))

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(f"/{problem_type}")
    assert (api.revision(), _grant_rows(settings.database_url)) == (revision, rows)


def test_a_service_makes_a_space_creator_its_owner(api: Any) -> None:
    registered = api.client.put(
        "/internal/v1/domains/space:guild",
        json={"kind": "community", "visibility": "restricted", "on_behalf_of": "gaelle"},
        headers=api.service,
    )
    assert registered.status_code == 200
    body = {
        "subject": "gaelle",
        "role": "owner",
        "domain": "space:guild",
        "on_behalf_of": "gaelle",
        "justification": "Created the space",
    }

    created = api.client.post("/internal/v1/grants", json=body, headers=api.service)
    retried = api.client.post("/internal/v1/grants", json=body, headers=api.service)

    assert created.status_code == 201
    assert retried.status_code == 200
    assert retried.json()["id"] == created.json()["id"]
    decision = api.decide("gaelle", "manage.members", "space:guild")
    assert decision["allowed"] is True
    assert decision["reason"]["grant"]["id"] == created.json()["id"]


def test_services_may_not_grant_org_roles(api: Any) -> None:
    response = api.client.post(
        "/internal/v1/grants",
        json={
            "subject": "bob",
            "role": "communicator",
            "domain": "org",
            "on_behalf_of": "bob",
            "justification": "Wants to publish",
        },
        headers=api.service,
    )

    assert response.status_code == 403
    assert response.json()["type"].endswith("/service-grant-not-allowed")


def test_user_tokens_may_not_use_the_internal_grant_endpoint(api: Any) -> None:
    response = api.client.post(
        "/internal/v1/grants",
        json={
            "subject": "alice",
            "role": "owner",
            "domain": "space:cafe",
            "on_behalf_of": "alice",
            "justification": "Take over",
        },
        headers=api.user("paul"),
    )

    assert response.status_code == 403
