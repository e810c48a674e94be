"""The audit trail: every change appends a chained event; tampering in the database is caught."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from townhall_platform.db import make_engine


@pytest.fixture(scope="module")
def raw(seeded_url: str) -> Iterator[Engine]:
    """Direct access to the database, as someone bypassing the service would have."""
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


def _verify(api: Any) -> dict[str, Any]:
    response = api.client.get("/v1/audit/verify", headers=api.user("olivier"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _events(api: Any, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get(
        "/v1/audit/events", params={"limit": 10_000, **params}, headers=api.user("olivier")
    )
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def test_the_seeded_trail_verifies(api: Any) -> None:
    report = _verify(api)

    assert report["valid"] is True
    assert report["first_broken"] is None
    assert report["events_checked"] == report["head_seq"] > 50


def test_every_change_appends_one_chained_event(api: Any) -> None:
    before = _events(api)
    grant = api.grant("hugo", "spokesperson", "org")
    api.revoke(grant["id"])

    after = _events(api, after_seq=before[-1]["seq"])

    assert [e["event_type"] for e in after] == ["grant.created", "grant.revoked"]
    created, revoked = after
    assert created["actor"] == "paul"
    assert created["target"] == f"grant:{grant['id']}"
    assert created["justification"] == "Test grant of spokesperson to hugo"
    assert created["payload"]["role"] == "spokesperson"
    assert created["prev_hash"] == before[-1]["hash"]
    assert revoked["prev_hash"] == created["hash"]
    assert revoked["justification"] == "Test revocation"
    assert revoked["policy_revision"] == created["policy_revision"] + 1
    assert _verify(api)["valid"] is True


def test_a_refused_change_appends_nothing(api: Any) -> None:
    head = _verify(api)["head_seq"]
    revision = api.revision()

    duplicate = api.client.post(
        "/v1/grants",
        json={
            "subject": "claire",
            "role": "communicator",
            "domain": "org",
            "justification": "Already holds it",
        },
        headers=api.user("paul"),
    )
    forbidden = api.client.post(
        "/v1/grants",
        json={
            "subject": "bob",
            "role": "communicator",
            "domain": "org",
            "justification": "Not an admin",
        },
        headers=api.user("alice"),
    )

    assert duplicate.status_code == 409
    assert forbidden.status_code == 403
    assert _verify(api)["head_seq"] == head
    assert api.revision() == revision


def test_an_edited_field_is_caught(api: Any, raw: Engine) -> None:
    api.grant("hugo", "moderator", "org")
    target = _events(api)[-1]
    with raw.begin() as connection:
        connection.execute(
            text("UPDATE audit_events SET justification = :j WHERE seq = :s"),
            {"j": "Nothing to see here", "s": target["seq"]},
        )
    try:
        report = _verify(api)
        assert report["valid"] is False
        assert report["first_broken"]["seq"] == target["seq"]
        assert report["first_broken"]["event_id"] == target["id"]
        assert "altered" in report["first_broken"]["problem"]
    finally:
        with raw.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET justification = :j WHERE seq = :s"),
                {"j": target["justification"], "s": target["seq"]},
            )
    assert _verify(api)["valid"] is True


def test_a_deleted_row_is_caught(api: Any, raw: Engine) -> None:
    seq = _events(api)[10]["seq"]
    with raw.begin() as connection:
        row = (
            connection.execute(text("SELECT * FROM audit_events WHERE seq = :s"), {"s": seq})
            .mappings()
            .one()
        )
        connection.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seq})
    try:
        report = _verify(api)
        assert report["valid"] is False
        assert report["first_broken"]["seq"] == seq
        assert "missing" in report["first_broken"]["problem"]
    finally:
        with raw.begin() as connection:
            columns = ", ".join(row.keys())
            values = ", ".join(f":{k}" for k in row)
            connection.execute(
                text(f"INSERT INTO audit_events ({columns}) VALUES ({values})"), dict(row)
            )
    assert _verify(api)["valid"] is True


def test_a_deleted_last_row_is_caught(api: Any, raw: Engine) -> None:
    api.grant("hugo", "communicator", "org")
    last = _events(api)[-1]["seq"]
    with raw.begin() as connection:
        row = (
            connection.execute(text("SELECT * FROM audit_events WHERE seq = :s"), {"s": last})
            .mappings()
            .one()
        )
        connection.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last})
    try:
        report = _verify(api)
        assert report["valid"] is False
        assert report["first_broken"]["seq"] == last
        assert "removed from the end" in report["first_broken"]["problem"]
    finally:
        with raw.begin() as connection:
            columns = ", ".join(row.keys())
            values = ", ".join(f":{k}" for k in row)
            connection.execute(
                text(f"INSERT INTO audit_events ({columns}) VALUES ({values})"), dict(row)
            )
    assert _verify(api)["valid"] is True


def test_two_swapped_rows_are_caught(api: Any, raw: Engine) -> None:
    events = _events(api)
    first, second = events[20]["seq"], events[21]["seq"]

    def swap() -> None:
        with raw.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET seq = -1 WHERE seq = :a"), {"a": first}
            )
            connection.execute(
                text("UPDATE audit_events SET seq = :a WHERE seq = :b"), {"a": first, "b": second}
            )
            connection.execute(
                text("UPDATE audit_events SET seq = :b WHERE seq = -1"), {"b": second}
            )

    swap()
    try:
        report = _verify(api)
        assert report["valid"] is False
        assert report["first_broken"]["seq"] == first
    finally:
        swap()
    assert _verify(api)["valid"] is True


def test_swapped_contents_are_caught(api: Any, raw: Engine) -> None:
    events = _events(api)
    a, b = events[30], events[31]
    columns = [
        "id",
        "occurred_at",
        "actor",
        "event_type",
        "target",
        "domain",
        "justification",
        "payload",
        "policy_revision",
        "prev_hash",
        "hash",
    ]

    def swap() -> None:
        with raw.begin() as connection:
            rows = {
                r["seq"]: dict(r)
                for r in connection.execute(
                    text("SELECT * FROM audit_events WHERE seq IN (:a, :b)"),
                    {"a": a["seq"], "b": b["seq"]},
                ).mappings()
            }
            # The unique id moves through a placeholder first.
            connection.execute(
                text("UPDATE audit_events SET id = :tmp WHERE seq = :s"),
                {"tmp": "swap-placeholder", "s": a["seq"]},
            )
            for here, there in ((b["seq"], a["seq"]), (a["seq"], b["seq"])):
                assignments = ", ".join(f"{c} = :{c}" for c in columns)
                connection.execute(
                    text(f"UPDATE audit_events SET {assignments} WHERE seq = :seq"),
                    {**{c: rows[there][c] for c in columns}, "seq": here},
                )

    swap()
    try:
        report = _verify(api)
        assert report["valid"] is False
        assert report["first_broken"]["seq"] == a["seq"]
    finally:
        swap()
    assert _verify(api)["valid"] is True


def test_events_are_filtered_and_exported_as_csv(api: Any) -> None:
    grant = api.grant("gaelle", "spokesperson", "org")

    events = _events(api, target=f"grant:{grant['id']}")
    csv_answer = api.client.get(
        "/v1/audit/events",
        params={"target": f"grant:{grant['id']}", "format": "csv"},
        headers=api.user("paul"),
    )

    assert [e["event_type"] for e in events] == ["grant.created"]
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    lines = csv_answer.text.strip().splitlines()
    assert lines[0].startswith("seq,id,occurred_at,actor,event_type")
    assert len(lines) == 2 and grant["id"] in lines[1]


def test_employees_may_not_read_the_trail(api: Any) -> None:
    for path in ("/v1/audit/events", "/v1/audit/verify"):
        response = api.client.get(path, headers=api.user("alice"))
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
