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

from townhall_contracts import demo

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


EMPLOYEES = set(demo.EMPLOYEES)
# Through publishing, as at policy: engineering's owner (bob) grants member and moderator
# to others, the policy admin (paul) any space role to others; nobody grants themselves.
RELAYED_GRANTS = {
    ("hugo", "member"): {"bob", "paul"},
    ("hugo", "moderator"): {"bob", "paul"},
    ("hugo", "owner"): {"paul"},
    ("self", "moderator"): set(),
}


def _revoke_all(system: Any, subject: str, domain: str) -> None:
    admin = system.as_user("policy", "paul")
    for grant in _grants(system, subject, domain):
        if grant["granted_by"] == "system":
            continue
        revoked = admin.request(
            "DELETE", f"/v1/grants/{grant['id']}", json={"justification": "Matrix reset"}
        )
        assert revoked.status_code == 200, revoked.text


def test_every_user_gets_through_publishing_what_policy_allows(system: Any) -> None:
    """The matrix of cases 3 and 4 on the relay path: every demo user, every change."""
    outcomes: dict[tuple[str, str], int] = {}
    expected: dict[tuple[str, str], int] = {}
    for who in demo.user_ids():
        for (subject, role), allowed in RELAYED_GRANTS.items():
            grantee = who if subject == "self" else subject
            response = _add(system, who, "engineering", grantee, role)
            outcomes[(who, f"grant {role} to {subject}")] = response.status_code
            # Engineering is an employee space: to zoe, a contractor, it does not exist.
            refused = 404 if who not in EMPLOYEES else 403
            expected[(who, f"grant {role} to {subject}")] = 201 if who in allowed else refused
            if response.status_code >= 400:
                assert response.headers["content-type"] == PROBLEM
            _revoke_all(system, grantee, "space:engineering")

        created = system.as_user("publishing", who).post(
            "/v1/spaces",
            json={"id": _slug(), "name": "M", "kind": "community", "visibility": "restricted"},
        )
        outcomes[(who, "create a space")] = created.status_code
        expected[(who, "create a space")] = 201 if who in EMPLOYEES - {"olivier"} else 403

        # A public space alice created, whose owner `who` is made by paul.
        space = _new_space(system, "alice", visibility="public")
        if who not in ("alice", "paul"):
            made = system.as_user("policy", "paul").post(
                "/v1/grants",
                json={
                    "subject": who,
                    "role": "owner",
                    "domain": f"space:{space}",
                    "justification": "Matrix owner",
                },
            )
            assert made.status_code == 201, made.text
        switched = system.as_user("publishing", who).patch(
            f"/v1/spaces/{space}", json={"visibility": "restricted"}
        )
        outcomes[(who, "switch an owned space's visibility")] = switched.status_code
        expected[(who, "switch an owned space's visibility")] = (
            200 if who not in ("olivier", "paul") else 403
        )
    assert outcomes == expected
