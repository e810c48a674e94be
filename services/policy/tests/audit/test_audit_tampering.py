"""Whoever can write the policy database, without the audit key, cannot rewrite history
unnoticed: verify finds each tampering below with a finding that says where and what.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from townhall_platform.db import make_engine
from townhall_policy.audit.chain import GENESIS_HASH, keyed_hash, legacy_hash
from townhall_policy.audit.keys import AuditKey
from townhall_policy.audit.models import AuditEvent
from townhall_policy.settings import PolicySettings

Sign = Callable[[AuditEvent], None]


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


def _problems(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["kind"] == kind]


@contextmanager
def _trail_restored(raw: Engine) -> Iterator[None]:
    """Put the trail and its head back as they were, whatever the test did to them."""
    with raw.begin() as connection:
        events = [
            dict(r) for r in connection.execute(text("SELECT * FROM audit_events")).mappings()
        ]
        head = connection.execute(
            text("SELECT audit_seq, audit_hash FROM policy_revision WHERE id = 1")
        ).one()
    try:
        yield
    finally:
        with raw.begin() as connection:
            connection.execute(text("DELETE FROM audit_events"))
            columns = ", ".join(events[0])
            values = ", ".join(f":{k}" for k in events[0])
            connection.execute(
                text(f"INSERT INTO audit_events ({columns}) VALUES ({values})"), events
            )
            connection.execute(
                text("UPDATE policy_revision SET audit_seq = :s, audit_hash = :h WHERE id = 1"),
                {"s": head[0], "h": head[1]},
            )


def _rechain(raw: Engine, *, from_seq: int, sign: Sign, edit: Callable[[AuditEvent], None]) -> None:
    """Edit event `from_seq`, then recompute every hash after it and the stored head, as
    an attacker holding the database (but not the key) would."""
    with Session(raw) as session:
        previous = session.exec(
            select(AuditEvent.hash).where(AuditEvent.seq == from_seq - 1)
        ).first()
        previous_hash = previous or GENESIS_HASH
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.seq) >= from_seq).order_by(col(AuditEvent.seq))
        ).all()
        for event in events:
            if event.seq == from_seq:
                edit(event)
            event.prev_hash = previous_hash
            sign(event)
            previous_hash = event.hash
            session.add(event)
        session.commit()
    with raw.begin() as connection:
        connection.execute(
            text("UPDATE policy_revision SET audit_hash = :h WHERE id = 1"), {"h": previous_hash}
        )


def _unkeyed(event: AuditEvent) -> None:
    event.key_id = None
    event.hash = legacy_hash(event)


def _other_key(key: AuditKey, *, claim: str | None = None) -> Sign:
    def sign(event: AuditEvent) -> None:
        event.key_id = claim or key.id
        event.hash = keyed_hash(event, key)

    return sign


def _grant_event(raw: Engine) -> AuditEvent:
    with Session(raw) as session:
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.event_type == "grant.created")
            .order_by(col(AuditEvent.seq))
            .limit(1)
        ).one()
        return event


def _hide_justification(event: AuditEvent) -> None:
    event.justification = "Nothing to see here"


def test_the_untampered_trail_verifies_under_the_key(api: Any) -> None:
    report = _verify(api)

    assert report["valid"] is True, report["findings"]
    assert report["findings"] == []
    assert report["first_broken"] is None
    assert report["keyed_from_seq"] == 1
    assert report["events_checked"] == report["head_seq"] > 50
    assert report["rows_checked"]["grants"] > 20
    assert report["rows_checked"]["subjects"] >= 15
    assert report["checkpoints_checked"] >= 1  # the one written when the service started
    assert api.client.app.state.audit_checkpoints.alive  # and the schedule runs


def test_every_event_names_the_key_that_signed_it(api: Any) -> None:
    events = api.client.get(
        "/v1/audit/events", params={"limit": 10_000}, headers=api.user("olivier")
    ).json()["events"]

    assert {e["key_id"] for e in events} == {_verify(api)["key_ids"][0]}


def test_an_event_rewritten_and_rehashed_without_a_key_is_found(api: Any, raw: Engine) -> None:
    target = _grant_event(raw)
    with _trail_restored(raw):
        _rechain(raw, from_seq=target.seq, sign=_unkeyed, edit=_hide_justification)
        report = _verify(api)

    assert report["valid"] is False
    chain = _problems(report, "chain")
    assert chain[0]["seq"] == target.seq
    assert chain[0]["event_id"] == target.id
    assert "carries no key" in chain[0]["problem"]
    assert report["first_broken"]["seq"] == target.seq
    assert _verify(api)["valid"] is True


def test_an_event_rewritten_and_resigned_with_another_key_is_found(api: Any, raw: Engine) -> None:
    target = _grant_event(raw)
    real_key_id = _verify(api)["key_ids"][0]
    forger = AuditKey(b"f" * 64)
    for sign, words in (
        (_other_key(forger), "which this service does not hold"),
        (_other_key(forger, claim=real_key_id), "does not match the recorded hash"),
    ):
        with _trail_restored(raw):
            _rechain(raw, from_seq=target.seq, sign=sign, edit=_hide_justification)
            report = _verify(api)

        assert report["valid"] is False
        first = _problems(report, "chain")[0]
        assert (first["seq"], first["event_id"]) == (target.seq, target.id)
        assert words in first["problem"]
    assert _verify(api)["valid"] is True


def test_a_whole_trail_rehashed_without_the_key_is_not_keyed(api: Any, raw: Engine) -> None:
    with _trail_restored(raw):
        _rechain(raw, from_seq=1, sign=_unkeyed, edit=lambda event: None)
        report = _verify(api)

    assert report["valid"] is False
    assert report["keyed_from_seq"] is None
    assert any("the trail is not keyed" in f["problem"] for f in _problems(report, "chain"))


def test_a_grant_inserted_by_hand_is_found(api: Any, raw: Engine) -> None:
    grant_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    with raw.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO grants (id, subject_id, role, domain, valid_from, granted_by, "
                "granted_at, justification) VALUES (:id, 'hugo', 'communicator', 'org', :now, "
                "'paul', :now, 'Looks legitimate')"
            ),
            {"id": grant_id, "now": now},
        )
    try:
        report = _verify(api)
    finally:
        with raw.begin() as connection:
            connection.execute(text("DELETE FROM grants WHERE id = :id"), {"id": grant_id})

    assert report["valid"] is False
    assert report["first_broken"] is None  # the chain itself holds
    [finding] = _problems(report, "table")
    assert finding["table"] == "grants"
    assert finding["row"] == grant_id
    assert finding["problem"] == (
        f"grant {grant_id} (hugo holds communicator in org) has no grant.created event in "
        "the trail: inserted by hand"
    )
    assert _verify(api)["valid"] is True


def test_a_revocation_undone_by_hand_is_found(api: Any, raw: Engine) -> None:
    grant = api.grant("hugo", "spokesperson", "org")
    api.revoke(grant["id"])
    with raw.begin() as connection:
        connection.execute(
            text("UPDATE grants SET revoked_at = NULL WHERE id = :id"), {"id": grant["id"]}
        )
    try:
        report = _verify(api)
    finally:
        with raw.begin() as connection:
            connection.execute(
                text("UPDATE grants SET revoked_at = :at WHERE id = :id"),
                {
                    "at": datetime.fromisoformat(grant_revoked_at(api, grant["id"])),
                    "id": grant["id"],
                },
            )

    [finding] = _problems(report, "table")
    assert finding["table"] == "grants"
    assert finding["row"] == grant["id"]
    assert f"grant {grant['id']}: revoked_at is None in the table but " in finding["problem"]
    assert "changed by hand" in finding["problem"]
    assert _verify(api)["valid"] is True


def grant_revoked_at(api: Any, grant_id: str) -> str:
    events = api.client.get(
        "/v1/audit/events",
        params={"target": f"grant:{grant_id}", "event_type": "grant.revoked"},
        headers=api.user("olivier"),
    ).json()["events"]
    value: str = events[0]["payload"]["revoked_at"]
    return value


def test_a_suspension_deleted_by_hand_is_found(api: Any, raw: Engine) -> None:
    response = api.client.post(
        "/v1/suspensions",
        json={"subject": "david", "domain": "org", "justification": "Under investigation"},
        headers=api.user("paul"),
    )
    assert response.status_code == 201, response.text
    suspension_id = response.json()["id"]
    with raw.begin() as connection:
        row = dict(
            connection.execute(
                text("SELECT * FROM suspensions WHERE id = :id"), {"id": suspension_id}
            )
            .mappings()
            .one()
        )
        connection.execute(text("DELETE FROM suspensions WHERE id = :id"), {"id": suspension_id})
    try:
        report = _verify(api)
    finally:
        _insert(raw, "suspensions", row)

    [finding] = _problems(report, "table")
    assert finding["table"] == "suspensions"
    assert finding["row"] == suspension_id
    assert finding["problem"].startswith(f"suspension {suspension_id} is in the trail (event ")
    assert finding["problem"].endswith("but missing from the suspensions table: deleted by hand")
    assert _verify(api)["valid"] is True


def _insert(raw: Engine, table: str, row: dict[str, Any]) -> None:
    with raw.begin() as connection:
        columns = ", ".join(row)
        values = ", ".join(f":{k}" for k in row)
        connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def test_directory_rows_changed_by_hand_are_found(api: Any, raw: Engine) -> None:
    def change(connection: Connection, active: bool, name: str) -> None:
        connection.execute(
            text("UPDATE subjects SET active = :a, display_name = :n WHERE id = 'hugo'"),
            {"a": active, "n": name},
        )

    with raw.begin() as connection:
        name = connection.execute(
            text("SELECT display_name FROM subjects WHERE id = 'hugo'")
        ).scalar_one()
        change(connection, False, "Someone Else")
        connection.execute(
            text(
                "INSERT INTO group_memberships (group_id, member_id, created_at) "
                "VALUES ('communication', 'hugo', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
    try:
        report = _verify(api)
    finally:
        with raw.begin() as connection:
            change(connection, True, name)
            connection.execute(
                text(
                    "DELETE FROM group_memberships "
                    "WHERE group_id = 'communication' AND member_id = 'hugo'"
                )
            )

    problems = {(f["table"], f["row"]): f["problem"] for f in _problems(report, "table")}
    assert set(problems) == {("subjects", "hugo"), ("group_memberships", "hugo in communication")}
    subject_problems = [
        f["problem"] for f in _problems(report, "table") if f["table"] == "subjects"
    ]
    assert any(
        p.startswith(f"subject hugo: display_name is 'Someone Else' in the table but {name!r}")
        for p in subject_problems
    )
    assert any(
        p.startswith("subject hugo: active is False in the table but True")
        for p in subject_problems
    )
    assert problems[("group_memberships", "hugo in communication")] == (
        "hugo is a member of communication in the table but no membership.added event in "
        "the trail explains it: inserted by hand"
    )
    assert _verify(api)["valid"] is True


def test_a_space_made_public_by_hand_is_found(api: Any, raw: Engine) -> None:
    with raw.begin() as connection:
        connection.execute(
            text("UPDATE domains SET visibility = 'public' WHERE id = 'space:projet-phoenix'")
        )
    try:
        report = _verify(api)
    finally:
        with raw.begin() as connection:
            connection.execute(
                text(
                    "UPDATE domains SET visibility = 'restricted' WHERE id = 'space:projet-phoenix'"
                )
            )

    [finding] = _problems(report, "table")
    assert finding["table"] == "domains"
    assert finding["problem"].startswith(
        "domain space:projet-phoenix: visibility is 'public' in the table but 'restricted'"
    )


def test_the_head_pointer_rewritten_is_found(api: Any, raw: Engine) -> None:
    head = _verify(api)["head_seq"]
    with _trail_restored(raw):
        with raw.begin() as connection:
            connection.execute(text("UPDATE policy_revision SET audit_hash = :h"), {"h": "e" * 64})
        rewritten = _verify(api)
        with raw.begin() as connection:
            connection.execute(text("UPDATE policy_revision SET audit_seq = audit_seq + 3"))
        ahead = _verify(api)

    [finding] = _problems(rewritten, "chain")
    assert finding["problem"].startswith(f"the recorded head (event {head}, hash eeeeeeeeeeee…)")
    assert finding["problem"].endswith("the head pointer was rewritten")
    [finding] = _problems(ahead, "chain")
    assert finding["problem"] == (
        f"the trail ends at event {head} but its recorded head is event {head + 3}: events "
        "were removed from the end"
    )
    assert _verify(api)["valid"] is True


def test_a_truncation_after_a_checkpoint_is_found(api: Any, raw: Engine) -> None:
    first = api.grant("gaelle", "moderator", "org")
    api.revoke(first["id"])
    checkpoint = api.client.app.state.audit_checkpoints.checkpoint_now()
    assert checkpoint is not None
    with _trail_restored(raw):
        # Everything after the grant goes, and the head is made to agree: only the
        # checkpoint outside the database still knows.
        with raw.begin() as connection:
            connection.execute(
                text("DELETE FROM audit_events WHERE seq >= :s"), {"s": checkpoint.seq}
            )
            last = connection.execute(
                text("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            ).one()
            connection.execute(
                text("UPDATE policy_revision SET audit_seq = :s, audit_hash = :h"),
                {"s": last[0], "h": last[1]},
            )
        report = _verify(api)

    assert report["valid"] is False
    assert _problems(report, "chain") == []
    [finding] = _problems(report, "checkpoint")
    assert finding["problem"].startswith(f"the trail ends at event {checkpoint.seq - 1} but a ")
    assert finding["problem"].endswith(
        f"vouches for event {checkpoint.seq}: the trail was truncated after that checkpoint"
    )
    assert report["latest_checkpoint"]["seq"] == checkpoint.seq
    assert _verify(api)["valid"] is True


def test_a_rewrite_with_the_key_before_a_checkpoint_is_found(
    api: Any, raw: Engine, settings: PolicySettings
) -> None:
    """Even someone holding the key cannot rewrite what a checkpoint already vouches for."""
    api.grant("gaelle", "approver", "org")
    checkpoint = api.client.app.state.audit_checkpoints.checkpoint_now()
    assert checkpoint is not None
    key = api.client.app.state.audit_keyring.current
    target = _grant_event(raw)
    with _trail_restored(raw):
        _rechain(raw, from_seq=target.seq, sign=_other_key(key), edit=_hide_justification)
        report = _verify(api)

    assert _problems(report, "chain") == []  # signed with the real key
    found = {f["seq"]: f["problem"] for f in _problems(report, "checkpoint")}
    assert checkpoint.seq in found
    assert f"event {checkpoint.seq} differs from the checkpoint" in found[checkpoint.seq]
    assert len(found) == report["checkpoints_checked"]  # every checkpoint after the edit
    assert _verify(api)["valid"] is True


def test_a_forged_checkpoint_file_is_found(api: Any, settings: PolicySettings) -> None:
    api.grant("gaelle", "communicator", "org")
    checkpoint = api.client.app.state.audit_checkpoints.checkpoint_now()
    assert checkpoint is not None
    trail_dir = _trail_dir(api, settings)
    path = sorted(trail_dir.glob("*.json"))[-1]
    original = path.read_text()
    path.write_text(original.replace('"hash": "', '"hash": "0', 1))
    try:
        report = _verify(api)
    finally:
        path.write_text(original)

    [finding] = _problems(report, "checkpoint")
    assert finding["problem"] == (
        f"checkpoint {path.name}: its signature does not verify: the file was altered or forged"
    )
    assert checkpoint.seq == int(path.stem)
    assert _verify(api)["valid"] is True


def _trail_dir(api: Any, settings: PolicySettings) -> Path:
    trail_id = api.client.get(
        "/v1/audit/events", params={"limit": 1}, headers=api.user("olivier")
    ).json()["events"][0]["id"]
    return settings.resolved_audit_checkpoint_dir / trail_id


def test_the_key_is_never_stored_in_the_database(
    api: Any, raw: Engine, audit_key_file: Path
) -> None:
    secret = audit_key_file.read_text().strip()
    with raw.connect() as connection:
        tables = [
            t
            for t in (
                "audit_events",
                "policy_revision",
                "grants",
                "suspensions",
                "subjects",
                "decision_log",
                "domains",
            )
        ]
        dumped = " ".join(
            str(dict(r))
            for t in tables
            for r in connection.execute(text(f"SELECT * FROM {t}")).mappings()
        )

    assert len(secret) >= 32
    assert secret not in dumped
    assert secret[:16] not in dumped


def test_directory_history_rewritten_by_hand_is_found(api: Any, raw: Engine) -> None:
    """Moving a membership's start rewrites who belonged to a group when: the trail knows."""
    with raw.begin() as connection:
        row = (
            connection.execute(
                text(
                    "SELECT id, valid_from FROM directory_periods "
                    "WHERE subject_id = 'alice' AND group_id = 'engineering'"
                )
            )
            .mappings()
            .one()
        )
        connection.execute(
            text("UPDATE directory_periods SET valid_from = :at WHERE id = :id"),
            {"at": datetime(2020, 1, 1, tzinfo=UTC), "id": row["id"]},
        )
    try:
        report = _verify(api)
    finally:
        with raw.begin() as connection:
            connection.execute(
                text("UPDATE directory_periods SET valid_from = :at WHERE id = :id"),
                {"at": row["valid_from"], "id": row["id"]},
            )

    [finding] = _problems(report, "table")
    assert finding["table"] == "directory_periods"
    assert finding["row"] == "membership of alice in engineering"
    assert finding["problem"].startswith(
        "the membership of alice in engineering period runs from 2020-01-01T00:00:00+00:00 "
        "in the table but "
    )
    assert finding["problem"].endswith(": history changed by hand")
    assert _verify(api)["valid"] is True
