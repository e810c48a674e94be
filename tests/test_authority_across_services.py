"""Grants and space changes relayed by publishing pass policy's own checks (real processes).

Issue 14, cases 3 and 4: a space owner could grant `owner`, or grant themselves
`moderator`, through publishing; a compliance officer could create a space, make
someone its moderator and switch it to public. Policy decides all of it, on behalf of
the human who asked, whoever relays the request.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

PROBLEM = "application/problem+json"


def _slug() -> str:
    return f"auth-{uuid.uuid4().hex[:10]}"


def _grants(system: Any, subject: str, domain: str) -> list[dict[str, Any]]:
    response = system.as_user("policy", "paul").get(
        "/v1/grants", params={"subject": subject, "domain": domain, "limit": 1000}
    )
    assert response.status_code == 200, response.text
    return [g for g in response.json()["grants"] if g["active"]]


def _new_space(system: Any, owner: str, visibility: str = "restricted") -> str:
    space = _slug()
    created = system.as_user("publishing", owner).post(
        "/v1/spaces",
        json={"id": space, "name": "Authority", "kind": "community", "visibility": visibility},
    )
    assert created.status_code == 201, created.text
    return space


def _add(system: Any, by: str, space: str, subject: str, role: str) -> Any:
    return system.as_user("publishing", by).post(
        f"/v1/spaces/{space}/members",
        json={"subject": subject, "role": role, "justification": "Runs the project"},
    )


def test_an_owner_grants_no_owner_and_nothing_to_themselves_through_publishing(
    system: Any,
) -> None:
    space = _new_space(system, "alice")
    domain = f"space:{space}"

    owner = _add(system, "alice", space, "bob", "owner")
    myself = _add(system, "alice", space, "alice", "moderator")

    assert owner.status_code == 403, owner.text
    assert owner.headers["content-type"] == PROBLEM
    assert "policy_admin" in owner.json()["detail"]
    assert myself.status_code == 403, myself.text
    assert myself.json()["type"].endswith("/self-grant")
    assert _grants(system, "bob", domain) == []
    assert [g["role"] for g in _grants(system, "alice", domain)] == ["owner"]
    # What an owner may do still goes through, recorded as granted by the owner.
    member = _add(system, "alice", space, "bob", "moderator")
    assert member.status_code == 201, member.text
    [grant] = _grants(system, "bob", domain)
    assert (grant["role"], grant["granted_by"]) == ("moderator", "alice")


def test_a_policy_admin_grants_owner_through_publishing(system: Any) -> None:
    space = _new_space(system, "alice", visibility="public")

    response = _add(system, "paul", space, "bob", "owner")

    assert response.status_code == 201, response.text
    [grant] = _grants(system, "bob", f"space:{space}")
    assert (grant["role"], grant["granted_by"]) == ("owner", "paul")


def test_a_compliance_officer_changes_nothing_through_publishing(system: Any) -> None:
    olivier = system.as_user("publishing", "olivier")
    space = _slug()

    created = olivier.post(
        "/v1/spaces",
        json={"id": space, "name": "Audit", "kind": "community", "visibility": "restricted"},
    )
    assert created.status_code == 403, created.text
    assert created.headers["content-type"] == PROBLEM
    assert "compliance_officer" in created.json()["detail"]
    assert olivier.get(f"/v1/spaces/{space}").status_code == 404

    # Even as the owner of a space (made so by a policy admin), he changes nothing in it.
    owned = _new_space(system, "alice")
    made_owner = system.as_user("policy", "paul").post(
        "/v1/grants",
        json={
            "subject": "olivier",
            "role": "owner",
            "domain": f"space:{owned}",
            "justification": "Audits the project",
        },
    )
    assert made_owner.status_code == 201, made_owner.text
    moderator = _add(system, "olivier", owned, "hugo", "moderator")
    public = olivier.patch(f"/v1/spaces/{owned}", json={"visibility": "public"})
    assert moderator.status_code == 403, moderator.text
    assert public.status_code == 403, public.text
    assert _grants(system, "hugo", f"space:{owned}") == []
    assert olivier.get(f"/v1/spaces/{owned}").json()["visibility"] == "restricted"
    # He still reads everything.
    assert olivier.get("/v1/spaces/hr-confidential").status_code == 200


def test_policy_refuses_a_relayed_grant_the_relay_did_not_check(system: Any) -> None:
    """Publishing's own check is not what protects the grant: policy checks the human."""
    space = _new_space(system, "alice")
    relay = _relay(system)

    for on_behalf_of, role, subject in (
        ("alice", "owner", "bob"),
        ("alice", "moderator", "alice"),
        ("olivier", "member", "hugo"),
        ("david", "member", "hugo"),
    ):
        response = relay.post(
            "/internal/v1/grants",
            json={
                "subject": subject,
                "role": role,
                "domain": f"space:{space}",
                "on_behalf_of": on_behalf_of,
                "justification": "Relayed",
            },
        )
        assert response.status_code == 403, (on_behalf_of, role, subject, response.text)
    assert _grants(system, "bob", f"space:{space}") == []
    assert _grants(system, "hugo", f"space:{space}") == []


def _relay(system: Any) -> httpx.Client:
    """A client carrying publishing's service token, as publishing calls policy."""
    token = system.issuer.service_token("publishing")
    client = httpx.Client(
        base_url=system.services["policy"].url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )
    system.clients["relay"] = client
    return client
