"""`POST /internal/v1/decisions/allowed`: which of many subjects a decision would allow.

Its answer is checked against single decisions (the `/v1/decisions/batch` endpoint) over
the whole demo directory, and for the subjects a decision refuses for a reason of its
own: a revoked, expired or suspended grant, a deactivated subject. The generated
population and casbin are in `enforcement/test_differential.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from fastapi.testclient import TestClient

from townhall_contracts import demo
from townhall_contracts.policy import MAX_ALLOWED_SUBJECTS, Action
from townhall_platform.db import make_engine, session_scope
from townhall_platform.testing import ManualClock
from townhall_policy.directory.service import set_subject_active

Headers = dict[str, str]
PATH = "/internal/v1/decisions/allowed"
PROBLEM = "application/problem+json"
# Users, groups, and ids policy does not know.
SUBJECTS = [*demo.user_ids(), *demo.GROUPS, "nobody", "ghost"]
DOMAINS = ["org", *(f"space:{s.id}" for s in demo.SPACES), "space:no-such-space"]


def _allowed(api: Any, subjects: list[str], action: str, domain: str) -> list[str]:
    body = {"subjects": subjects, "action": action, "domain": domain}
    response = api.client.post(PATH, json=body, headers=api.service)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert (answer["action"], answer["domain"]) == (action, domain)
    assert answer["policy_revision"] == api.revision()
    subjects_allowed: list[str] = answer["subjects"]
    return subjects_allowed


def _single(api: Any, subjects: list[str], action: str, domain: str) -> list[str]:
    """The subjects allowed, one decision each, as a service asks them."""
    asked = [{"subject": s, "action": action, "domain": domain} for s in subjects]
    response = api.client.post(
        "/v1/decisions/batch", json={"decisions": asked}, headers=api.service
    )
    assert response.status_code == 200, response.text
    return [d["subject"] for d in response.json()["decisions"] if d["allowed"]]


def test_agrees_with_single_decisions_on_the_demo_directory(api: Any) -> None:
    disagreements = []
    allowed = 0
    for action in Action:
        for domain in DOMAINS:
            batch = _allowed(api, SUBJECTS, action.value, domain)
            single = _single(api, SUBJECTS, action.value, domain)
            allowed += len(single)
            if batch != single:
                disagreements.append((action.value, domain, batch, single))
    assert disagreements == []
    # Both answers are exercised, not only refusals.
    assert 0 < allowed < len(SUBJECTS) * len(DOMAINS) * len(Action)


def test_answers_in_the_order_asked_each_subject_once(api: Any) -> None:
    asked = ["zoe", "hugo", "alice", "zoe", "bob", "alice"]

    assert _allowed(api, asked, "read", "space:projet-phoenix") == ["zoe", "alice", "bob"]


def test_a_revoked_grant_and_a_deactivated_subject_are_left_out(api: Any, settings: Any) -> None:
    readers = ["alice", "hugo", "gaelle"]
    grant = api.grant("hugo", "member", "space:projet-phoenix")
    assert _allowed(api, readers, "read", "space:projet-phoenix") == ["alice", "hugo"]

    api.revoke(grant["id"])
    assert _allowed(api, readers, "read", "space:projet-phoenix") == ["alice"]

    assert "gaelle" in _allowed(api, readers, "read", "space:cafe")
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            set_subject_active(session, subject_id="gaelle", active=False, justification="Left")
        assert _allowed(api, readers, "read", "space:cafe") == ["alice", "hugo"]
        assert _single(api, readers, "read", "space:cafe") == ["alice", "hugo"]
    finally:
        with session_scope(engine) as session:
            set_subject_active(session, subject_id="gaelle", active=True, justification="Back")
        engine.dispose()


def test_a_suspended_subject_is_left_out_until_lifted(api: Any) -> None:
    readers = ["alice", "bob", "david"]
    assert _allowed(api, readers, "comment", "space:engineering") == readers
    response = api.client.post(
        "/v1/suspensions",
        json={
            "subject": "david",
            "domain": "space:engineering",
            "action": "comment",
            "justification": "Report under investigation",
        },
        headers=api.user("paul"),
    )
    assert response.status_code == 201, response.text
    try:
        assert _allowed(api, readers, "comment", "space:engineering") == ["alice", "bob"]
        assert _single(api, readers, "comment", "space:engineering") == ["alice", "bob"]
    finally:
        lifted = api.client.request(
            "DELETE",
            f"/v1/suspensions/{response.json()['id']}",
            json={"justification": "Cleared"},
            headers=api.user("paul"),
        )
        assert lifted.status_code == 200, lifted.text
    assert _allowed(api, readers, "comment", "space:engineering") == readers


def test_an_expired_grant_is_left_out_when_it_ends(clocked_api: tuple[Any, ManualClock]) -> None:
    api, clock = clocked_api
    readers = ["alice", "hugo"]
    grant = api.grant("hugo", "member", "space:projet-phoenix", valid_to=clock.at(3600).isoformat())
    try:
        clock.now = clock.at(3599)
        assert _allowed(api, readers, "read", "space:projet-phoenix") == readers
        clock.advance(1)
        assert _allowed(api, readers, "read", "space:projet-phoenix") == ["alice"]
        assert _single(api, readers, "read", "space:projet-phoenix") == ["alice"]
    finally:
        # Revoked while in force on this clock: the module's other app, on the wall
        # clock, would otherwise still see it.
        clock.now -= timedelta(seconds=3600)
        api.revoke(grant["id"])


def test_nothing_goes_to_the_decision_log(api: Any) -> None:
    with structlog.testing.capture_logs() as logs:
        refused = _allowed(api, ["hugo", "david"], "read", "space:hr-confidential")

    assert refused == []
    assert [e for e in logs if e["event"] == "policy_decision"] == []


def _problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(f"/{slug}")
    return body


def test_more_subjects_than_the_limit_is_422(client: TestClient, as_service: Headers) -> None:
    subjects = [f"u{n}" for n in range(MAX_ALLOWED_SUBJECTS + 1)]
    body = {"subjects": subjects, "action": "read", "domain": "org"}

    response = client.post(PATH, json=body, headers=as_service)

    problem = _problem(response, 422, "validation-failed")
    assert any(e["location"][-1] == "subjects" for e in problem["errors"])


def test_a_body_over_the_size_limit_is_413(
    client: TestClient, as_service: Headers, settings: Any
) -> None:
    # Long ids, fewer than the limit in number: the size refuses it before validation.
    subjects = ["x" * 128] * (settings.max_body_bytes // 128 + 1)
    assert len(subjects) < MAX_ALLOWED_SUBJECTS
    body = {"subjects": subjects, "action": "read", "domain": "org"}

    response = client.post(PATH, json=body, headers=as_service)

    _problem(response, 413, "payload-too-large")


def test_malformed_requests_are_refused(client: TestClient, as_service: Headers) -> None:
    good = {"subjects": ["alice"], "action": "read", "domain": "org"}
    for change in (
        {"subjects": []},
        {"subjects": [""]},
        {"subjects": ["x" * 129]},
        {"action": "fly"},
        {"domain": "planet:mars"},
        {"urgent": True},
    ):
        response = client.post(PATH, json={**good, **change}, headers=as_service)
        _problem(response, 422, "validation-failed")
    missing = client.post(PATH, json={"subjects": ["alice"]}, headers=as_service)
    _problem(missing, 422, "validation-failed")
    broken = client.post(
        PATH, content=b'{"subjects": [', headers={**as_service, "Content-Type": "application/json"}
    )
    _problem(broken, 400, "malformed-body")
