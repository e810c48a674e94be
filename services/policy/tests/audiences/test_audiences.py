"""`POST /internal/v1/audiences`: reader principals expanded into the active users holding them."""

from __future__ import annotations

from typing import Any

import pytest

from townhall_contracts.demo import USERS
from townhall_platform.db import make_engine, session_scope
from townhall_policy.directory.service import set_subject_active

PROBLEM = "application/problem+json"
EMPLOYEES = {u.id for u in USERS if "employee" in u.org_roles}


def _audience(api: Any, principals: list[str]) -> dict[str, Any]:
    response = api.client.post(
        "/internal/v1/audiences", json={"principals": principals}, headers=api.service
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_each_kind_of_principal_expands_to_its_holders(api: Any) -> None:
    assert set(_audience(api, ["org"])["subjects"]) == EMPLOYEES
    assert _audience(api, ["group:engineering"])["subjects"] == ["alice", "bob"]
    assert _audience(api, ["user:zoe"])["subjects"] == ["zoe"]
    assert _audience(api, ["auditor:org"])["subjects"] == ["olivier"]
    assert "nadia" in _audience(api, ["moderator:org"])["subjects"]
    assert _audience(api, ["moderator:space:projet-phoenix"])["subjects"] == ["alice"]
    phoenix = _audience(api, ["space:projet-phoenix", "auditor:org"])
    assert set(phoenix["subjects"]) >= {"alice", "bob", "zoe", "olivier"}
    assert phoenix["policy_revision"] == api.revision()


def test_agrees_with_each_subjects_principals(api: Any) -> None:
    readers = ["space:hr-confidential", "group:sales"]
    audience = set(_audience(api, readers)["subjects"])
    for user in USERS:
        principals = api.client.get(
            f"/v1/subjects/{user.id}/principals", headers=api.service
        ).json()["principals"]
        assert (user.id in audience) == bool(set(readers) & set(principals)), user.id


def test_principals_naming_nothing_add_nobody(api: Any) -> None:
    answer = _audience(api, ["space:nowhere", "group:nobody", "user:ghost"])
    assert answer["subjects"] == []


def test_a_grant_revoked_or_a_subject_deactivated_leaves_the_audience(
    api: Any, settings: Any
) -> None:
    grant = api.grant("hugo", "member", "space:projet-phoenix")
    assert "hugo" in _audience(api, ["space:projet-phoenix"])["subjects"]
    api.revoke(grant["id"])
    assert "hugo" not in _audience(api, ["space:projet-phoenix"])["subjects"]

    assert "farid" in _audience(api, ["group:operations"])["subjects"]
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        set_subject_active(
            session, subject_id="farid", active=False, justification="Left the company"
        )
    try:
        assert _audience(api, ["group:operations"])["subjects"] == ["hugo"]
        assert "farid" not in _audience(api, ["org"])["subjects"]
    finally:
        # The module's other tests count farid among the employees.
        with session_scope(engine) as session:
            set_subject_active(session, subject_id="farid", active=True, justification="Back")
        engine.dispose()


def test_refused_to_user_tokens_and_anonymous_callers(api: Any) -> None:
    body = {"principals": ["org"]}
    as_user = api.client.post("/internal/v1/audiences", json=body, headers=api.user("paul"))
    anonymous = api.client.post("/internal/v1/audiences", json=body)

    assert as_user.status_code == 403, as_user.text
    assert anonymous.status_code == 401, anonymous.text
    assert as_user.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "body",
    [
        {"principals": []},
        {"principals": ["everyone"]},
        {"principals": ["space:"]},
        {"principals": ["role:employee"]},
        {"principals": ["org"], "extra": True},
        {"principals": ["org"] * 1001},
        {},
    ],
)
def test_malformed_or_unknown_kinds_of_principal_are_refused(
    api: Any, body: dict[str, Any]
) -> None:
    response = api.client.post("/internal/v1/audiences", json=body, headers=api.service)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)


def test_groups_are_listed_by_type_for_services_only(api: Any) -> None:
    everything = api.client.get("/internal/v1/groups", headers=api.service)
    assert everything.status_code == 200, everything.text
    groups = {g["id"]: g for g in everything.json()["groups"]}
    assert groups["sales"] == {"id": "sales", "display_name": "Sales", "group_type": "department"}
    departments = api.client.get("/internal/v1/groups?type=department", headers=api.service)
    assert {g["id"] for g in departments.json()["groups"]} == set(groups)
    sites = api.client.get("/internal/v1/groups?type=site", headers=api.service)
    assert sites.json()["groups"] == []
    wrong = api.client.get("/internal/v1/groups?type=planet", headers=api.service)
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith(PROBLEM)
    as_user = api.client.get("/internal/v1/groups", headers=api.user("alice"))
    assert as_user.status_code == 403
    assert api.client.get("/internal/v1/groups").status_code == 401
