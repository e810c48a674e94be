"""The directory: SCIM-like provisioning, CSV import, deactivation, groups as principals."""

from __future__ import annotations

from typing import Any


def _principals(api: Any, subject: str) -> list[str]:
    response = api.client.get(f"/v1/subjects/{subject}/principals", headers=api.service)
    assert response.status_code == 200, response.text
    principals: list[str] = response.json()["principals"]
    return principals


def test_create_update_and_deactivate_a_user(api: Any) -> None:
    admin = api.user("paul")
    created = api.client.post(
        "/v1/directory/subjects",
        json={
            "id": "ines",
            "display_name": "Inès Caron",
            "department": "sales",
            "email": "ines@example.com",
            "groups": ["sales"],
            "justification": "Hired in sales",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["groups"] == ["sales"]
    assert "group:sales" in _principals(api, "ines")

    api.grant("ines", "employee", "org")
    assert api.decide("ines", "read", "org")["allowed"] is True

    replaced = api.client.put(
        "/v1/directory/subjects/ines",
        json={
            "display_name": "Inès Caron",
            "department": "operations",
            "groups": ["operations"],
            "justification": "Moved to operations",
        },
        headers=admin,
    )
    assert replaced.status_code == 200
    assert replaced.json()["department"] == "operations"
    principals = _principals(api, "ines")
    assert "group:operations" in principals and "group:sales" not in principals

    revision = api.revision()
    deactivated = api.client.request(
        "DELETE",
        "/v1/directory/subjects/ines",
        json={"justification": "Left the company"},
        headers=admin,
    )
    assert deactivated.status_code == 200
    assert deactivated.json()["active"] is False
    assert api.revision() == revision + 1
    refused = api.decide("ines", "read", "org")
    assert refused["allowed"] is False
    assert "deactivated" in refused["reason"]["summary"]

    events = api.client.get(
        "/v1/audit/events", params={"target": "subject:ines"}, headers=api.user("olivier")
    ).json()["events"]
    assert [e["event_type"] for e in events] == [
        "subject.created",
        "membership.added",
        "subject.updated",
        "membership.added",
        "membership.removed",
        "subject.deactivated",
    ]

    patched = api.client.patch(
        "/v1/directory/subjects/ines",
        json={"active": True, "justification": "Rehired"},
        headers=admin,
    )
    assert patched.status_code == 200
    assert api.decide("ines", "read", "org")["allowed"] is True


WHY = "Provisioning test"


def test_directory_problems(api: Any) -> None:
    admin = api.user("paul")
    revision = api.revision()
    duplicate = api.client.post(
        "/v1/directory/subjects",
        json={"id": "alice", "display_name": "Alice", "justification": WHY},
        headers=admin,
    )
    unknown_group = api.client.post(
        "/v1/directory/subjects",
        json={"id": "jules", "display_name": "Jules", "groups": ["nowhere"], "justification": WHY},
        headers=admin,
    )
    nested = api.client.post(
        "/v1/directory/subjects",
        json={
            "id": "team-x",
            "kind": "group",
            "display_name": "X",
            "groups": ["sales"],
            "justification": WHY,
        },
        headers=admin,
    )
    missing = api.client.put(
        "/v1/directory/subjects/nobody",
        json={"display_name": "Nobody", "justification": WHY},
        headers=admin,
    )
    bad_id = api.client.post(
        "/v1/directory/subjects",
        json={"id": "Bad Id", "display_name": "x", "justification": WHY},
        headers=admin,
    )
    empty_patch = api.client.patch(
        "/v1/directory/subjects/alice", json={"justification": WHY}, headers=admin
    )

    assert duplicate.status_code == 409
    assert duplicate.json()["type"].endswith("/subject-exists")
    assert unknown_group.status_code == 422
    assert unknown_group.json()["type"].endswith("/unknown-subject")
    assert nested.status_code == 422
    assert nested.json()["type"].endswith("/nested-group")
    assert missing.status_code == 404
    assert bad_id.status_code == 422
    assert empty_patch.status_code == 422
    assert api.revision() == revision
    # A failed creation left nothing behind.
    assert api.client.get("/v1/directory/subjects/jules", headers=admin).status_code == 404


CSV_TEXT = """id,kind,display_name,department,email,group_type,groups,active
site-lyon,group,Lyon,,,site,,true
karim,user,Karim Saidi,engineering,karim@example.com,,engineering;site-lyon,true
lea,user,Léa Girard,sales,,,site-lyon,true
"""


def test_csv_import_is_all_or_nothing_and_idempotent(api: Any) -> None:
    admin = api.user("paul")
    headers = {**admin, "Content-Type": "text/csv"}
    why = {"justification": "Quarterly HR export"}
    # Subjects of its own: other tests of the module import CSV_TEXT, in any order.
    csv_text = (
        CSV_TEXT.replace("site-lyon", "site-annecy")
        .replace("Lyon", "Annecy")
        .replace("karim", "noor")
        .replace("lea,", "theo,")
    )
    bad = csv_text + "Bad Id,user,,,,,,maybe\n"
    revision = api.revision()

    refused = api.client.post("/v1/directory/import", params=why, content=bad, headers=headers)

    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"].endswith("/invalid-directory-import")
    assert {e["line"] for e in problem["errors"]} == {5}
    assert api.revision() == revision

    imported = api.client.post(
        "/v1/directory/import", params=why, content=csv_text, headers=headers
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 3
    assert {"group:engineering", "group:site-annecy"} <= set(_principals(api, "noor"))
    members = api.client.get("/v1/directory/subjects/site-annecy", headers=admin).json()
    assert members["group_type"] == "site"
    assert members["groups"] == ["noor", "theo"]

    again = api.client.post("/v1/directory/import", params=why, content=csv_text, headers=headers)
    assert again.json()["unchanged"] == 3
    assert again.json()["policy_revision"] == imported.json()["policy_revision"]

    leaving = csv_text.replace(
        "theo,user,Léa Girard,sales,,,site-annecy,true",
        "theo,user,Léa Girard,sales,,,site-annecy,false",
    )
    report = api.client.post(
        "/v1/directory/import", params=why, content=leaving, headers=headers
    ).json()
    assert report["deactivated"] == 1
    assert api.decide("theo", "read", "org")["allowed"] is False


def test_a_group_grant_in_a_site_reaches_its_members(api: Any) -> None:
    api.client.post(
        "/v1/directory/import",
        params={"justification": "Lyon site opens"},
        content=CSV_TEXT,
        headers={**api.user("paul"), "Content-Type": "text/csv"},
    )
    api.grant("site-lyon", "member", "space:projet-phoenix")

    decision = api.decide("karim", "post.social", "space:projet-phoenix")

    assert decision["allowed"] is True
    assert decision["reason"]["role_path"] == [
        "user:karim",
        "group:site-lyon",
        "member@space:projet-phoenix",
    ]
    assert "space:projet-phoenix" in _principals(api, "karim")


def test_only_admins_change_the_directory(api: Any) -> None:
    for who in ("alice", "olivier", "claire"):
        response = api.client.post(
            "/v1/directory/subjects",
            json={"id": f"x-{who}", "display_name": "X", "justification": WHY},
            headers=api.user(who),
        )
        assert response.status_code == 403
    listing = api.client.get(
        "/v1/directory/subjects", params={"kind": "group"}, headers=api.user("olivier")
    )
    assert listing.status_code == 200
    assert "engineering" in {s["id"] for s in listing.json()["subjects"]}


def test_the_http_import_gives_org_roles_and_the_decisions_follow(api: Any) -> None:
    # Someone no other test of the module creates: tests pass in any order.
    headers = {**api.user("paul"), "Content-Type": "text/csv"}
    why = {"justification": "Communications team from the HR export"}
    joining = "id,display_name,roles\nhector,Hector Blanc,communicator\n"
    leaving = "id,display_name,roles\nhector,Hector Blanc,\n"

    joined = api.client.post("/v1/directory/import", params=why, content=joining, headers=headers)
    assert joined.status_code == 200, joined.text
    assert joined.json()["roles_granted"] == 1
    assert api.decide("hector", "post.official", "org")["allowed"] is True

    left = api.client.post("/v1/directory/import", params=why, content=leaving, headers=headers)
    assert left.json()["roles_revoked"] == 1
    assert api.decide("hector", "post.official", "org")["allowed"] is False


def test_the_http_import_refuses_to_make_an_administrator(api: Any) -> None:
    headers = {**api.user("paul"), "Content-Type": "text/csv"}
    body = "id,display_name,roles\nmallory,Mallory,policy_admin\n"
    refused = api.client.post(
        "/v1/directory/import", params={"justification": "x" * 12}, content=body, headers=headers
    )
    assert refused.status_code == 422
    assert "bootstrap-admin" in refused.json()["detail"]
