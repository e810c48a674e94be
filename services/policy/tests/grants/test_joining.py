"""Joining and leaving a public community: a `member` grant to oneself, relayed by
publishing, that adds nothing an employee may not already do there; all else refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

WHY = "Joined the community"


def _space(api: Any, kind: str = "community", visibility: str = "public") -> str:
    domain = f"space:club-{uuid.uuid4().hex[:8]}"
    registered = api.client.put(
        f"/internal/v1/domains/{domain}",
        json={"kind": kind, "visibility": visibility, "on_behalf_of": "claire"},
        headers=api.service,
    )
    assert registered.status_code == 200, registered.text
    # Its creator founds it, as publishing does: nobody else founds it after.
    founded = _join(api, "claire", domain, role="owner")
    assert founded.status_code == 201, founded.text
    return domain


def _join(
    api: Any, who: str, domain: str, *, subject: str | None = None, role: str = "member"
) -> Any:
    body = {
        "subject": subject or who,
        "role": role,
        "domain": domain,
        "on_behalf_of": who,
        "justification": WHY,
    }
    return api.client.post("/internal/v1/grants", json=body, headers=api.service)


def _leave(api: Any, who: str, domain: str, *, subject: str | None = None) -> Any:
    body = {
        "subject": subject or who,
        "role": "member",
        "domain": domain,
        "on_behalf_of": who,
        "justification": "Left the community",
    }
    return api.client.post("/internal/v1/grants/revocations", json=body, headers=api.service)


def _principals(api: Any, subject: str) -> list[str]:
    answer = api.client.get(f"/v1/subjects/{subject}/principals", headers=api.service)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["principals"])


def test_an_employee_joins_and_leaves_a_public_community_herself(api: Any) -> None:
    domain = _space(api)

    joined = _join(api, "alice", domain)
    again = _join(api, "alice", domain)

    assert joined.status_code == 201, joined.text
    assert joined.json()["granted_by"] == "alice"
    assert again.status_code == 200 and again.json()["id"] == joined.json()["id"]
    assert domain in _principals(api, "alice")

    # Someone else cannot take her out; she leaves herself, once.
    assert _leave(api, "bob", domain, subject="alice").status_code == 403
    left = _leave(api, "alice", domain)
    assert left.status_code == 200, left.text
    [revoked] = left.json()["grants"]
    assert (revoked["revoked_by"], revoked["active"]) == ("alice", False)
    assert domain not in _principals(api, "alice")
    gone = _leave(api, "alice", domain)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("kind", "visibility"), [("community", "restricted"), ("announcement", "public")]
)
def test_nobody_joins_a_restricted_space_or_an_announcement_channel(
    api: Any, kind: str, visibility: str
) -> None:
    domain = _space(api, kind, visibility)
    for who in ("alice", "claire", "marc", "olivier", "zoe"):
        refused = _join(api, who, domain)
        assert refused.status_code == 403, (who, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    assert domain not in _principals(api, "alice")


def test_joining_is_only_member_for_oneself_by_whoever_takes_part(api: Any) -> None:
    domain = _space(api)
    # No other role, and not for someone else (alice owns nothing here).
    assert _join(api, "alice", domain, role="moderator").status_code == 403
    assert _join(api, "alice", domain, role="owner").status_code == 403
    assert _join(api, "alice", domain, subject="bob").status_code == 403
    # zoe, a contractor, takes part in no public space: she joins none.
    contractor = _join(api, "zoe", domain)
    assert contractor.status_code == 403
    assert contractor.json()["reason"]["missing"] == f"needs role member in {domain}"
    # Directly, on policy's own API, a self-grant is still refused.
    direct = api.client.post(
        "/v1/grants",
        json={"subject": "alice", "role": "member", "domain": domain, "justification": WHY},
        headers=api.user("alice"),
    )
    assert direct.status_code == 403
    assert domain not in _principals(api, "zoe")


def test_a_revocation_relayed_for_an_org_role_is_refused(api: Any) -> None:
    body = {
        "subject": "alice",
        "role": "member",
        "domain": "org",
        "on_behalf_of": "alice",
        "justification": "Leaving",
    }
    refused = api.client.post("/internal/v1/grants/revocations", json=body, headers=api.service)
    assert refused.status_code in (403, 422)
    user_token = api.client.post(
        "/internal/v1/grants/revocations", json=body, headers=api.user("alice")
    )
    assert user_token.status_code in (401, 403)
