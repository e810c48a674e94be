"""`GET /v1/subjects/{id}/principals`: the tokens of the readers rule, for services only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from townhall_contracts.readers import may_read, post_readers

Headers = dict[str, str]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (
            "alice",
            [
                "group:engineering",
                "moderator:space:projet-phoenix",
                "org",
                "space:cafe",
                "space:engineering",
                "space:general",
                "space:projet-phoenix",
                "user:alice",
            ],
        ),
        ("zoe", ["space:projet-phoenix", "user:zoe"]),
        ("nadia", ["group:communication", "moderator:org", "org", "space:general", "user:nadia"]),
        ("olivier", ["auditor:org", "org", "space:general", "user:olivier"]),
        ("hugo", ["group:operations", "org", "space:general", "user:hugo"]),
    ],
)
def test_principals_of_demo_users(api: Any, subject: str, expected: list[str]) -> None:
    response = api.client.get(f"/v1/subjects/{subject}/principals", headers=api.service)

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == subject
    assert body["active"] is True
    assert body["principals"] == expected
    assert body["policy_revision"] == api.revision()


def test_principals_apply_the_readers_rule(api: Any) -> None:
    readers = post_readers(
        space_id="projet-phoenix", visibility="restricted", state="published", author_id="alice"
    )

    def principals(subject: str) -> list[str]:
        return list(
            api.client.get(f"/v1/subjects/{subject}/principals", headers=api.service).json()[
                "principals"
            ]
        )

    assert may_read(principals("zoe"), readers)
    assert not may_read(principals("hugo"), readers)
    assert may_read(principals("olivier"), readers)


def test_a_new_space_role_shows_in_principals_at_once(api: Any) -> None:
    grant = api.grant("hugo", "moderator", "space:cafe")

    body = api.client.get("/v1/subjects/hugo/principals", headers=api.service).json()

    assert {"space:cafe", "moderator:space:cafe"} <= set(body["principals"])
    api.revoke(grant["id"])
    body = api.client.get("/v1/subjects/hugo/principals", headers=api.service).json()
    assert "space:cafe" not in body["principals"]


def test_unknown_subject_is_404(api: Any) -> None:
    response = api.client.get("/v1/subjects/nobody/principals", headers=api.service)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/subject-not-found")


def test_user_tokens_are_refused(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    response = client.get("/v1/subjects/alice/principals", headers=as_user("alice"))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def _principals(api: Any, subject: str) -> list[str]:
    response = api.client.get(f"/v1/subjects/{subject}/principals", headers=api.service)
    assert response.status_code == 200, response.text
    return list(response.json()["principals"])


def _suspend(api: Any, **body: Any) -> dict[str, Any]:
    response = api.client.post(
        "/v1/suspensions",
        json={"justification": "Harassment report under investigation", **body},
        headers=api.user("paul"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _lift(api: Any, suspension: dict[str, Any]) -> None:
    response = api.client.request(
        "DELETE",
        f"/v1/suspensions/{suspension['id']}",
        json={"justification": "Investigation closed"},
        headers=api.user("paul"),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("action", [None, "read"])
def test_a_suspension_from_reading_in_org_leaves_no_principal(api: Any, action: str | None) -> None:
    """Policy refuses `read` everywhere: the principals let the subject read nothing."""
    readers = post_readers(
        space_id="projet-phoenix", visibility="restricted", state="draft", author_id="alice"
    )
    assert may_read(_principals(api, "alice"), readers)

    suspension = _suspend(api, subject="alice", domain="org", action=action)

    assert api.decide("alice", "read", "space:projet-phoenix")["allowed"] is False
    body = api.client.get("/v1/subjects/alice/principals", headers=api.service).json()
    assert body["principals"] == []
    assert body["policy_revision"] == api.revision()
    _lift(api, suspension)
    assert "space:projet-phoenix" in _principals(api, "alice")


def test_a_suspension_from_moderating_one_space_drops_its_moderator_token(api: Any) -> None:
    suspension = _suspend(api, subject="alice", domain="space:projet-phoenix", action="moderate")

    assert api.decide("alice", "moderate", "space:projet-phoenix")["allowed"] is False
    principals = _principals(api, "alice")
    assert "moderator:space:projet-phoenix" not in principals
    assert {"space:projet-phoenix", "space:engineering", "org", "user:alice"} <= set(principals)
    _lift(api, suspension)
    assert "moderator:space:projet-phoenix" in _principals(api, "alice")


def test_a_suspension_from_other_actions_keeps_reading(api: Any) -> None:
    before = _principals(api, "bob")

    suspension = _suspend(api, subject="bob", domain="org", action="comment")

    assert api.decide("bob", "read", "space:engineering")["allowed"] is True
    assert _principals(api, "bob") == before
    _lift(api, suspension)


def test_a_suspension_from_moderating_drops_the_moderator_token(api: Any) -> None:
    suspension = _suspend(api, subject="nadia", domain="org", action="moderate")

    assert api.decide("nadia", "moderate", "space:cafe")["allowed"] is False
    principals = _principals(api, "nadia")
    assert "moderator:org" not in principals
    assert "org" in principals
    _lift(api, suspension)
    assert "moderator:org" in _principals(api, "nadia")
