"""Issue 14 cases 3, 4 and 5: every demo user against every protected change, by both paths.

A grant goes to policy directly (`POST /v1/grants`, the user's own token) or relayed by
publishing (`POST /internal/v1/grants`, its service token, `on_behalf_of` the user);
both must answer alike. Who may: paul (policy admin) grants any role to anyone but
himself; bob (owner of engineering) grants member and moderator there, to others;
compliance officers change nothing; nobody lifts their own suspension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from townhall_contracts import demo

USERS = demo.user_ids()
EMPLOYEES = frozenset(demo.EMPLOYEES)
ENGINEERING = "space:engineering"
WHY = "Authority matrix"


@dataclass(frozen=True)
class GrantCase:
    subject: Callable[[str], str]  # the grantee, given the granting user
    role: str
    domain: str
    allowed_direct: frozenset[str]
    allowed_relayed: frozenset[str]


GRANT_CASES = {
    # Engineering is a public community: hugo, asking for himself through publishing,
    # joins it (test_joining.py); nobody else adds him but its owner and the admin.
    "member to another in a space": GrantCase(
        lambda who: "hugo",
        "member",
        ENGINEERING,
        frozenset({"paul", "bob"}),
        frozenset({"paul", "bob", "hugo"}),
    ),
    "moderator to another in a space": GrantCase(
        lambda who: "hugo",
        "moderator",
        ENGINEERING,
        frozenset({"paul", "bob"}),
        frozenset({"paul", "bob"}),
    ),
    "owner to another in a space": GrantCase(
        lambda who: "hugo", "owner", ENGINEERING, frozenset({"paul"}), frozenset({"paul"})
    ),
    "moderator to oneself in a space": GrantCase(
        lambda who: who, "moderator", ENGINEERING, frozenset(), frozenset()
    ),
    # The engineering group holds alice and bob: a grant to it reaches bob, its owner.
    "member to one's own group in a space": GrantCase(
        lambda who: "engineering",
        "member",
        ENGINEERING,
        frozenset({"paul"}),
        frozenset({"paul"}),
    ),
    # Services relay space roles only; org roles are granted at policy, by its admins.
    "an org role to another": GrantCase(
        lambda who: "hugo", "spokesperson", "org", frozenset({"paul"}), frozenset()
    ),
}


def _direct(api: Any, who: str, body: dict[str, Any]) -> Any:
    return api.client.post("/v1/grants", json=body, headers=api.user(who))


def _relayed(api: Any, who: str, body: dict[str, Any]) -> Any:
    return api.client.post(
        "/internal/v1/grants", json={**body, "on_behalf_of": who}, headers=api.service
    )


@pytest.mark.parametrize("path", ["direct", "relayed"])
@pytest.mark.parametrize("name", list(GRANT_CASES))
def test_every_user_grants_what_policy_allows_by_either_path(
    api: Any, name: str, path: str
) -> None:
    case = GRANT_CASES[name]
    send = _direct if path == "direct" else _relayed
    allowed = case.allowed_direct if path == "direct" else case.allowed_relayed
    outcomes: dict[str, int] = {}
    for who in USERS:
        revision = api.revision()
        body = {
            "subject": case.subject(who),
            "role": case.role,
            "domain": case.domain,
            "justification": WHY,
        }
        response = send(api, who, body)
        outcomes[who] = response.status_code
        if response.status_code == 201:
            assert response.json()["granted_by"] == who
            api.revoke(response.json()["id"])
        else:
            assert response.headers["content-type"] == "application/problem+json"
            assert api.revision() == revision, (who, response.text)
    assert outcomes == {who: 201 if who in allowed else 403 for who in USERS}


def test_every_user_revokes_what_policy_allows(api: Any) -> None:
    """Revoking a member of engineering: its owner (bob) and paul, nobody else."""
    outcomes: dict[str, int] = {}
    for who in USERS:
        grant = api.grant("hugo", "member", ENGINEERING)
        response = api.client.request(
            "DELETE",
            f"/v1/grants/{grant['id']}",
            json={"justification": WHY},
            headers=api.user(who),
        )
        outcomes[who] = response.status_code
        if response.status_code != 200:
            api.revoke(grant["id"])
    assert outcomes == {who: 200 if who in {"paul", "bob"} else 403 for who in USERS}


def _suspend(api: Any, subject: str) -> str:
    by = "nadia" if subject != "nadia" else "paul"
    response = api.client.post(
        "/v1/suspensions",
        json={
            "subject": subject,
            "domain": ENGINEERING,
            "action": "post.social",
            "justification": WHY,
        },
        headers=api.user(by),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _lift(api: Any, who: str, suspension_id: str) -> int:
    response = api.client.request(
        "DELETE",
        f"/v1/suspensions/{suspension_id}",
        json={"justification": WHY},
        headers=api.user(who),
    )
    return int(response.status_code)


def test_nobody_lifts_a_suspension_of_themselves(api: Any) -> None:
    outcomes: dict[str, int] = {}
    for who in USERS:
        suspension = _suspend(api, who)
        outcomes[who] = _lift(api, who, suspension)
        assert _lift(api, "paul" if who != "paul" else "nadia", suspension) == 200
    assert outcomes == {who: 403 for who in USERS}


def test_who_moderates_a_space_lifts_another_s_suspension_there(api: Any) -> None:
    outcomes: dict[str, int] = {}
    for who in USERS:
        target = "hugo" if who != "hugo" else "david"
        suspension = _suspend(api, target)
        outcomes[who] = _lift(api, who, suspension)
        if outcomes[who] != 200:
            assert _lift(api, "paul", suspension) == 200
    # paul (policy admin), nadia (org moderator), bob (engineering's owner).
    assert outcomes == {who: 200 if who in {"paul", "nadia", "bob"} else 403 for who in USERS}


@pytest.mark.parametrize(
    ("action", "domain", "allowed"),
    [
        ("manage.space", "org", EMPLOYEES - {"olivier"}),
        ("manage.space", ENGINEERING, frozenset({"bob"})),
        ("manage.members", ENGINEERING, frozenset({"bob"})),
        ("moderate", ENGINEERING, frozenset({"bob", "nadia"})),
        ("grants.manage", "org", frozenset({"paul"})),
        ("audit.read", "org", frozenset({"olivier"})),
    ],
)
def test_every_user_is_decided_the_same_whoever_asks(
    api: Any, action: str, domain: str, allowed: frozenset[str]
) -> None:
    """Case 4: the rule lives in policy's decisions: asked by a service or by the user."""
    for who in USERS:
        body = {"subject": who, "action": action, "domain": domain}
        by_service = api.client.post("/v1/decisions", json=body, headers=api.service).json()
        by_user = api.client.post("/v1/decisions", json=body, headers=api.user(who)).json()
        assert by_service["allowed"] is by_user["allowed"] is (who in allowed), (who, by_service)
