"""Compliance questions from history: who-can and what-can at past instants, timelines, exports."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime
from typing import Any


def _get(api: Any, path: str, **params: Any) -> Any:
    response = api.client.get(path, params=params, headers=api.user("olivier"))
    assert response.status_code == 200, response.text
    return response


def test_who_can_at_a_past_instant_comes_from_history(api: Any) -> None:
    grant = api.grant("david", "communicator", "org")
    time.sleep(0.05)
    while_held = datetime.now(UTC)
    time.sleep(0.05)
    api.revoke(grant["id"])

    then = _get(
        api,
        "/v1/audit/who-can",
        action="post.official",
        domain="space:cafe",
        at=while_held.isoformat(),
    ).json()
    now = _get(api, "/v1/audit/who-can", action="post.official", domain="space:cafe").json()

    assert "david" in then["subjects"]
    assert "david" not in now["subjects"]
    assert {"claire", "marc"} <= set(now["subjects"])
    holder = next(h for h in then["holders"] if h["subject"] == "david")
    assert holder["grant"]["id"] == grant["id"]
    assert holder["grant"]["granted_by"] == "paul"
    assert holder["role_path"] == ["user:david", "communicator@org"]


def test_who_can_counts_space_members_and_skips_the_deactivated(api: Any) -> None:
    answer = _get(api, "/v1/audit/who-can", action="post.social", domain="space:hr-confidential")
    assert set(answer.json()["subjects"]) == {"chloe", "emma"}


def test_who_can_exports_csv(api: Any) -> None:
    response = _get(
        api, "/v1/audit/who-can", action="read", domain="space:projet-phoenix", format="csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["subject"] for r in rows} >= {"alice", "bob", "zoe", "olivier"}
    # The org moderator reads public spaces only.
    assert "nadia" not in {r["subject"] for r in rows}
    assert response.headers["content-disposition"].startswith("attachment")


def test_what_can_names_each_grant_and_its_permissions(api: Any) -> None:
    answer = _get(api, "/v1/audit/what-can", subject="zoe").json()

    assert answer["active"] is True
    [entry] = answer["entries"]
    assert entry["role"] == "member" and entry["domain"] == "space:projet-phoenix"
    assert entry["permissions"] == {
        "community-restricted": ["comment", "post.social", "react", "read"]
    }
    before_anything = _get(
        api, "/v1/audit/what-can", subject="zoe", at="2000-01-01T00:00:00Z"
    ).json()
    assert before_anything["entries"] == []
    exported = _get(api, "/v1/audit/what-can", subject="claire", format="csv").text
    assert "communicator" in exported


def test_grant_history_of_a_subject_and_of_a_domain(api: Any) -> None:
    grant = api.grant("hugo", "member", "space:cafe")
    api.revoke(grant["id"])

    by_subject = _get(api, "/v1/audit/grant-history", subject="hugo").json()["entries"]
    by_domain = _get(api, "/v1/audit/grant-history", domain="space:cafe").json()["entries"]

    mine = [(e["event"], e["grant"]["id"]) for e in by_subject if e["grant"]["id"] == grant["id"]]
    assert mine == [("granted", grant["id"]), ("revoked", grant["id"])]
    assert grant["id"] in {e["grant"]["id"] for e in by_domain}
    csv_text = _get(api, "/v1/audit/grant-history", subject="hugo", format="csv").text
    assert csv_text.splitlines()[0].startswith("at,event,grant_id")


def test_bad_audit_queries_are_precise(api: Any) -> None:
    olivier = api.user("olivier")
    cases = [
        ("/v1/audit/who-can", {"action": "fly", "domain": "org"}, 422),
        ("/v1/audit/who-can", {"action": "read", "domain": "space:nowhere"}, 422),
        ("/v1/audit/who-can", {"action": "read", "domain": "Nope"}, 422),
        ("/v1/audit/who-can", {"action": "read", "domain": "org", "at": "yesterday"}, 422),
        ("/v1/audit/what-can", {"subject": "nobody"}, 404),
        ("/v1/audit/grant-history", {}, 422),
        ("/v1/audit/events", {"format": "xml"}, 422),
    ]
    for path, params, status in cases:
        response = api.client.get(path, params=params, headers=olivier)
        assert response.status_code == status, (path, params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_refusals_and_official_decisions_are_logged_and_queryable(api: Any) -> None:
    before = datetime.now(UTC)
    refused = api.decide("alice", "publish.official", "space:general")
    official = api.decide("claire", "publish.official", "space:general")
    social = api.decide("alice", "comment", "space:cafe")

    logged = _get(api, "/v1/audit/decisions", limit=1000).json()["decisions"]
    ids = {d["decision_id"] for d in logged}
    assert refused["decision_id"] in ids
    assert official["decision_id"] in ids
    assert social["decision_id"] not in ids
    entry = next(d for d in logged if d["decision_id"] == refused["decision_id"])
    assert entry["input"] == {
        "subject": "alice",
        "action": "publish.official",
        "domain": "space:general",
    }
    assert entry["result"]["allowed"] is False
    assert entry["result"]["reason"]["missing"] == "needs role communicator in org"
    assert entry["policy_revision"] == refused["policy_revision"]
    assert entry["requested_by"] == "service:publishing"
    # Written straight through the driver: the instant reads back exact and in UTC.
    assert before <= datetime.fromisoformat(entry["timestamp"]) <= datetime.now(UTC)
    only_refusals = _get(api, "/v1/audit/decisions", subject="alice", allowed="false").json()
    assert all(not d["result"]["allowed"] for d in only_refusals["decisions"])
    assert "decision_id,timestamp" in _get(api, "/v1/audit/decisions", format="csv").text


def test_who_can_and_what_can_at_a_past_instant_use_the_domain_kind_of_then(api: Any) -> None:
    def set_kind(kind: str) -> None:
        response = api.client.put(
            "/internal/v1/domains/space:projet-phoenix",
            json={"kind": kind, "visibility": "restricted", "on_behalf_of": "alice"},
            headers=api.service,
        )
        assert response.status_code == 200, response.text

    time.sleep(0.05)
    as_a_community = datetime.now(UTC)
    time.sleep(0.05)
    set_kind("announcement")  # members no longer post socially there
    try:
        then = _get(
            api,
            "/v1/audit/who-can",
            action="post.social",
            domain="space:projet-phoenix",
            at=as_a_community.isoformat(),
        ).json()
        now = _get(
            api, "/v1/audit/who-can", action="post.social", domain="space:projet-phoenix"
        ).json()
        assert then["domain_class"] == "community-restricted"
        assert "zoe" in then["subjects"]
        assert now["domain_class"] == "announcement-restricted"
        assert "zoe" not in now["subjects"]

        what_then = _get(
            api, "/v1/audit/what-can", subject="zoe", at=as_a_community.isoformat()
        ).json()
        [entry] = what_then["entries"]
        assert "post.social" in entry["permissions"]["community-restricted"]
        [entry_now] = _get(api, "/v1/audit/what-can", subject="zoe").json()["entries"]
        assert list(entry_now["permissions"]) == ["announcement-restricted"]
        assert "post.social" not in entry_now["permissions"]["announcement-restricted"]
    finally:
        set_kind("community")
