"""Decisions on the demo directory, their explanations, batches and who may ask."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient

from townhall_platform.db import make_engine, session_scope
from townhall_policy.directory.service import set_subject_active

Headers = dict[str, str]


@pytest.mark.parametrize(
    ("subject", "action", "domain", "allowed", "missing"),
    [
        ("claire", "publish.official", "space:general", True, None),
        ("alice", "publish.official", "space:general", False, "needs role communicator in org"),
        ("alice", "post.social", "space:engineering", True, None),
        (
            "hugo",
            "post.social",
            "space:projet-phoenix",
            False,
            "needs role member in space:projet-phoenix",
        ),
        ("zoe", "post.social", "space:projet-phoenix", True, None),
        # A public space is read by the company: membership gives no reading of it.
        ("zoe", "read", "space:engineering", False, "needs role employee in org"),
        ("hugo", "read", "space:engineering", True, None),
        ("chloe", "read", "space:hr-confidential", True, None),
        (
            "david",
            "read",
            "space:hr-confidential",
            False,
            "needs role member in space:hr-confidential",
        ),
        ("marc", "approve.official", "space:general", True, None),
        ("claire", "approve.official", "space:general", False, "needs role approver in org"),
        ("sophie", "answer.official", "space:engineering", True, None),
        ("bob", "answer.official", "space:engineering", False, "needs role spokesperson in org"),
        ("sophie", "endorse", "space:engineering", True, None),
        ("claire", "endorse", "space:engineering", True, None),
        ("bob", "endorse", "space:engineering", False, "needs role spokesperson in org"),
        ("sophie", "endorse", "space:general", False, "needs role communicator in org"),
        # The org moderator moderates public spaces; a restricted one has its own.
        (
            "nadia",
            "moderate",
            "space:hr-confidential",
            False,
            "needs role moderator in space:hr-confidential",
        ),
        (
            "nadia",
            "read",
            "space:hr-confidential",
            False,
            "needs role member in space:hr-confidential",
        ),
        ("nadia", "moderate", "space:engineering", True, None),
        ("emma", "moderate", "space:hr-confidential", True, None),
        (
            "alice",
            "moderate",
            "space:engineering",
            False,
            "needs role moderator in space:engineering",
        ),
        ("alice", "manage.members", "space:projet-phoenix", True, None),
        ("olivier", "audit.read", "org", True, None),
        (
            "olivier",
            "publish.official",
            "space:general",
            False,
            "role compliance_officer in org forbids it: only someone who does not hold it may",
        ),
        ("olivier", "read", "space:hr-confidential", True, None),
        # Communicators and approvers read public spaces only, as the readers rule says.
        ("claire", "read", "space:general", True, None),
        ("marc", "read", "space:engineering", True, None),
        (
            "claire",
            "read",
            "space:hr-confidential",
            False,
            "needs role member in space:hr-confidential",
        ),
        (
            "marc",
            "read",
            "space:projet-phoenix",
            False,
            "needs role member in space:projet-phoenix",
        ),
        ("paul", "grants.manage", "org", True, None),
        ("alice", "grants.manage", "org", False, "needs role policy_admin in org"),
        ("hugo", "manage.space", "org", True, None),
        ("zoe", "manage.space", "org", False, "needs role employee in org"),
        ("zoe", "read", "org", False, "needs role employee in org"),
        (
            "alice",
            "post.social",
            "space:general",
            False,
            "no role allows post.social in announcement-public domains",
        ),
    ],
)
def test_demo_directory_decisions(
    api: Any, subject: str, action: str, domain: str, allowed: bool, missing: str | None
) -> None:
    decision = api.decide(subject, action, domain)

    assert decision["allowed"] is allowed
    assert decision["reason"]["missing"] == missing
    assert (subject, action, domain) == (
        decision["subject"],
        decision["action"],
        decision["domain"],
    )


def test_an_allowed_decision_names_rule_role_path_and_grant(api: Any) -> None:
    decision = api.decide("claire", "publish.official", "space:general")

    reason = decision["reason"]
    assert reason["rule"].startswith("communicator, announcement-public, publish.official")
    assert reason["role_path"] == ["user:claire", "communicator@org"]
    assert "claire may publish.official in space:general" in reason["summary"]
    grant = reason["grant"]
    assert grant["role"] == "communicator"
    assert grant["domain"] == "org"
    assert grant["granted_by"] == "system"
    assert grant["justification"] == "Demo directory seed"
    assert grant["valid_to"] is None
    listed = api.client.get(
        "/v1/grants",
        params={"subject": "claire", "role": "communicator"},
        headers=api.user("olivier"),
    ).json()["grants"]
    assert [g["id"] for g in listed] == [grant["id"]]


def test_a_space_role_decision_names_the_space_grant(api: Any) -> None:
    decision = api.decide("zoe", "post.social", "space:projet-phoenix")

    assert decision["reason"]["role_path"] == ["user:zoe", "member@space:projet-phoenix"]
    assert decision["reason"]["rule"].startswith("member, community-restricted, post.social")
    assert decision["reason"]["grant"]["domain"] == "space:projet-phoenix"


def test_a_refusal_explains_in_plain_words(api: Any) -> None:
    decision = api.decide("alice", "publish.official", "space:general")

    assert decision["reason"]["summary"] == (
        "alice may not publish.official in space:general: needs role communicator in org"
    )
    assert decision["reason"]["rule"] is None
    assert decision["reason"]["grant"] is None


def test_each_decision_has_its_own_id_and_the_current_revision(api: Any) -> None:
    first = api.decide("alice", "read", "org")
    second = api.decide("alice", "read", "org")

    assert uuid.UUID(first["decision_id"]) != uuid.UUID(second["decision_id"])
    assert first["policy_revision"] == second["policy_revision"] == api.revision()


def test_an_unknown_domain_is_a_refusal_not_an_error(api: Any) -> None:
    decision = api.decide("alice", "read", "space:does-not-exist")

    assert decision["allowed"] is False
    assert "space:does-not-exist is unknown" in decision["reason"]["summary"]


def test_an_unknown_subject_is_refused(api: Any) -> None:
    decision = api.decide("nobody", "read", "org")

    assert decision["allowed"] is False
    assert "no subject 'nobody'" in decision["reason"]["summary"]


def test_a_deactivated_subject_is_refused_everything(api: Any, settings: Any) -> None:
    assert api.decide("gaelle", "read", "org")["allowed"] is True
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        set_subject_active(
            session, subject_id="gaelle", active=False, justification="Left the company"
        )
    engine.dispose()
    api.revision()  # reads the stored revision, so this instance reloads now

    decision = api.decide("gaelle", "read", "org")
    assert decision["allowed"] is False
    assert "gaelle is deactivated" in decision["reason"]["summary"]
    principals = api.client.get("/v1/subjects/gaelle/principals", headers=api.service).json()
    assert principals["active"] is False
    assert principals["principals"] == []


def test_a_group_grant_counts_for_its_members(api: Any) -> None:
    assert api.decide("david", "read", "space:hr-confidential")["allowed"] is False
    grant = api.grant("sales", "member", "space:hr-confidential")

    decision = api.decide("david", "read", "space:hr-confidential")

    assert decision["allowed"] is True
    assert decision["reason"]["role_path"] == [
        "user:david",
        "group:sales",
        "member@space:hr-confidential",
    ]
    assert decision["reason"]["grant"]["id"] == grant["id"]
    assert "through group sales" in decision["reason"]["summary"]
    api.revoke(grant["id"])
    assert api.decide("david", "read", "space:hr-confidential")["allowed"] is False


def test_a_user_token_may_ask_about_itself(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    response = client.post(
        "/v1/decisions",
        json={"subject": "alice", "action": "post.social", "domain": "space:cafe"},
        headers=as_user("alice"),
    )

    assert response.status_code == 200
    assert response.json()["allowed"] is True


def test_a_user_token_may_not_ask_about_someone_else(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    response = client.post(
        "/v1/decisions",
        json={"subject": "claire", "action": "publish.official", "domain": "space:general"},
        headers=as_user("alice"),
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "only about its own subject" in response.json()["detail"]


def test_a_user_is_told_nothing_of_a_space_they_may_not_read(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    def ask(subject: str, domain: str, path: str = "/v1/decisions") -> dict[str, Any]:
        body = {"subject": subject, "action": "moderate", "domain": domain}
        if path.endswith("/batch"):
            body = {"decisions": [body]}
        response = client.post(path, json=body, headers=as_user(subject))
        assert response.status_code == 200, response.text
        answer = response.json()
        return dict(answer["decisions"][0] if path.endswith("/batch") else answer)

    for path in ("/v1/decisions", "/v1/decisions/batch"):
        restricted = ask("hugo", "space:hr-confidential", path)
        missing = ask("hugo", "space:no-such-space", path)
        for answer, name in ((restricted, "hr-confidential"), (missing, "no-such-space")):
            del answer["decision_id"]
            answer["domain"] = answer["domain"].replace(name, "S")
            answer["reason"]["summary"] = answer["reason"]["summary"].replace(name, "S")
        assert restricted == missing
        assert "unknown to policy" in restricted["reason"]["summary"]
    # A member of the space hears why (services hear the truth about anyone).
    assert ask("chloe", "space:hr-confidential")["reason"]["missing"] == (
        "needs role moderator in space:hr-confidential"
    )


def test_a_batch_answers_in_order_at_one_revision(api: Any) -> None:
    asked = [
        {"subject": "claire", "action": "publish.official", "domain": "space:general"},
        {"subject": "alice", "action": "publish.official", "domain": "space:general"},
        {"subject": "zoe", "action": "read", "domain": "space:projet-phoenix"},
    ]
    response = api.client.post(
        "/v1/decisions/batch", json={"decisions": asked}, headers=api.service
    )

    assert response.status_code == 200
    batch = response.json()
    assert [d["allowed"] for d in batch["decisions"]] == [True, False, True]
    assert [d["subject"] for d in batch["decisions"]] == ["claire", "alice", "zoe"]
    assert {d["policy_revision"] for d in batch["decisions"]} == {batch["policy_revision"]}
    assert batch["decisions"][1]["reason"]["missing"] == "needs role communicator in org"


def test_a_user_batch_about_someone_else_is_forbidden(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    asked = [
        {"subject": "alice", "action": "read", "domain": "org"},
        {"subject": "bob", "action": "read", "domain": "org"},
    ]
    response = client.post(
        "/v1/decisions/batch", json={"decisions": asked}, headers=as_user("alice")
    )

    assert response.status_code == 403
    assert "bob" in response.json()["detail"]


def test_official_decisions_and_refusals_are_logged(api: Any) -> None:
    with structlog.testing.capture_logs() as logs:
        allowed_official = api.decide("claire", "publish.official", "space:general")
        refused = api.decide("hugo", "post.social", "space:projet-phoenix")
        allowed_social = api.decide("alice", "post.social", "space:engineering")

    logged = {entry["decision_id"]: entry for entry in logs if entry["event"] == "policy_decision"}
    assert set(logged) == {allowed_official["decision_id"], refused["decision_id"]}
    assert allowed_social["decision_id"] not in logged
    entry = logged[refused["decision_id"]]
    assert entry["allowed"] is False
    assert entry["missing"] == "needs role member in space:projet-phoenix"
    assert entry["requested_by"] == "service:publishing"
    assert entry["policy_revision"] == refused["policy_revision"]


@pytest.mark.parametrize(
    ("action", "domain"),
    [
        ("manage.space", "org"),
        ("post.social", "space:engineering"),
        ("comment", "space:general"),
        ("moderate", "space:hr-confidential"),
        ("manage.members", "space:projet-phoenix"),
        ("grants.manage", "org"),
    ],
)
def test_a_compliance_officer_changes_nothing_whatever_else_he_holds(
    api: Any, action: str, domain: str
) -> None:
    """Issue 14 case 4: the rule is in policy's decisions, so every service hears it."""
    owner = api.grant("olivier", "owner", "space:projet-phoenix")

    decision = api.decide("olivier", action, domain)

    api.revoke(owner["id"])
    reason = decision["reason"]
    assert decision["allowed"] is False
    assert reason["rule"].startswith("compliance_officer, ")
    assert reason["rule"].endswith(f", {action}, org, deny")
    assert reason["role_path"] == ["user:olivier", "compliance_officer@org"]
    assert reason["grant"]["role"] == "compliance_officer"
    assert "separation of duties" in reason["summary"]
    assert api.decide("olivier", "read", domain)["allowed"] is True
