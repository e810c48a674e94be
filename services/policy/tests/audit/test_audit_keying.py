"""The audit key: kept out of the database, required outside development, rotated without
losing what old keys signed, and brought over a trail that was chained without one.
Checkpoints: written on schedule (a clock the test drives), refused over a tampered head.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_policy.app import create_app
from townhall_policy.audit.chain import GENESIS_HASH, legacy_hash
from townhall_policy.audit.checkpoints import CheckpointRefused, write_checkpoint
from townhall_policy.audit.keys import (
    AuditKey,
    AuditKeyMissing,
    AuditKeyring,
    ensure_key_file,
    install_keyring,
    keyring_for,
    load_keyring,
)
from townhall_policy.audit.models import AuditEvent
from townhall_policy.audit.scheduler import CheckpointScheduler
from townhall_policy.audit.trail import CHAIN_KEYED, ensure_keyed
from townhall_policy.cli import main
from townhall_policy.compliance.verify import verify_trail
from townhall_policy.directory.service import ensure_subject
from townhall_policy.holdings.directory.models import SubjectKind
from townhall_policy.migrations import MIGRATIONS_DIR
from townhall_policy.seed import seed_demo
from townhall_policy.settings import PolicySettings
from townhall_policy.timestamps import utcnow

from ..conftest import make_settings

PRODUCTION = {
    "environment": "production",
    "jwks_url": "https://idp.example/jwks",
    "signing_key_file": "/etc/townhall/none.pem",
    "service_token": "a-real-service-token-of-some-length",
    "database_url": "postgresql://policy@db/policy",
}


@pytest.fixture
def fresh(database_url: str) -> Iterator[Engine]:
    """The module's database, emptied, migrated and seeded again for this test."""
    engine = make_engine(database_url)
    run_migrations(database_url, MIGRATIONS_DIR)
    with engine.begin() as connection:
        for table in (
            "access_review_items",
            "access_reviews",
            "grant_usage",
            "decision_log",
            "audit_events",
            "grants",
            "suspensions",
            "directory_periods",
        ):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM group_memberships"))
        connection.execute(text("DELETE FROM subjects"))
        connection.execute(text("DELETE FROM domains WHERE id <> 'org'"))
        connection.execute(
            text("UPDATE policy_revision SET audit_seq = 0, audit_hash = :g"), {"g": GENESIS_HASH}
        )
    with session_scope(engine) as session:
        seed_demo(session)
    yield engine
    engine.dispose()


def _without_audit_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KEY", "KEY_FILE", "CHECKPOINT_DIR"):
        monkeypatch.delenv(f"TOWNHALL_POLICY_AUDIT_{name}", raising=False)


def _keyring(engine: Engine) -> AuditKeyring:
    with Session(engine) as session:
        return keyring_for(session)


def _make_legacy(engine: Engine) -> None:
    """Turn the trail into one chained before keying existed (plain SHA-256, no key)."""
    with Session(engine) as session:
        previous = GENESIS_HASH
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all():
            event.key_id = None
            event.prev_hash = previous
            event.hash = legacy_hash(event)
            previous = event.hash
            session.add(event)
        session.commit()
    with engine.begin() as connection:
        connection.execute(text("UPDATE policy_revision SET audit_hash = :h"), {"h": previous})


def _events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())


def test_a_legacy_trail_is_keyed_once_at_first_start(
    fresh: Engine, database_url: str, signing_key_file: Path, as_user: Any
) -> None:
    _make_legacy(fresh)
    legacy = _events(fresh)
    settings = make_settings(database_url, signing_key_file)

    with TestClient(create_app(settings)) as client:
        report = client.get("/v1/audit/verify", headers=as_user("olivier")).json()
    with TestClient(create_app(settings)):
        pass  # a second start keys nothing more

    events = _events(fresh)
    keyed = events[len(legacy)]
    assert [e.event_type for e in events[len(legacy) :]] == [CHAIN_KEYED]
    assert keyed.prev_hash == legacy[-1].hash
    assert json.loads(keyed.payload) == {
        "key_id": load_keyring(settings).current.id,
        "legacy_head_seq": legacy[-1].seq,
        "legacy_head_hash": legacy[-1].hash,
        "legacy_chain_valid": True,
        "legacy_problem": None,
    }
    assert report["valid"] is True, report["findings"]
    assert report["keyed_from_seq"] == keyed.seq


def test_a_trail_no_checkpoint_vouches_for_is_not_valid(fresh: Engine, tmp_path: Path) -> None:
    keyring = _keyring(fresh)

    with Session(fresh) as session:
        outcome = verify_trail(session, keyring, tmp_path)

    [finding] = outcome.findings
    assert finding.kind == "checkpoint"
    assert finding.problem.startswith(f"no checkpoint of this trail in {tmp_path}: ")


def test_a_legacy_trail_rewritten_after_keying_is_found(fresh: Engine) -> None:
    _make_legacy(fresh)
    legacy = _events(fresh)
    keyring = _keyring(fresh)
    with session_scope(fresh) as session:
        ensure_keyed(session, keyring)
    # Rewriting an old event and rehashing the old chain cannot reach the keyed event.
    _edit_and_rehash_legacy(fresh, legacy[5].seq)

    with Session(fresh) as session:
        outcome = verify_trail(session, keyring, Path("/nonexistent"))

    assert outcome.valid is False
    [finding] = [f for f in outcome.findings if f.kind == "chain"]
    assert finding.seq == len(legacy) + 1
    assert f"does not follow event {len(legacy)}" in finding.problem


def _edit_and_rehash_legacy(engine: Engine, seq: int) -> None:
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.key_id).is_(None)).order_by(col(AuditEvent.seq))
        ).all()
        previous = GENESIS_HASH
        for event in events:
            if event.seq == seq:
                event.justification = "Rewritten"
            event.prev_hash = previous
            event.hash = legacy_hash(event)
            previous = event.hash
            session.add(event)
        session.commit()


def test_keying_a_tampered_legacy_trail_records_it(fresh: Engine) -> None:
    _make_legacy(fresh)
    with fresh.begin() as connection:
        connection.execute(text("UPDATE audit_events SET actor = 'nobody' WHERE seq = 7"))
    keyring = _keyring(fresh)
    with session_scope(fresh) as session:
        keyed = ensure_keyed(session, keyring)

    assert keyed is not None
    payload = json.loads(keyed.payload)
    assert payload["legacy_chain_valid"] is False
    assert payload["legacy_problem"] == "event 7 was altered, removed or reordered"
    with Session(fresh) as session:
        outcome = verify_trail(session, keyring, Path("/nonexistent"))
    assert outcome.valid is False
    assert outcome.findings[0].seq == 7
    assert "event 7 was altered" in outcome.findings[0].problem


def test_checkpoints_are_written_on_schedule(fresh: Engine, tmp_path: Path) -> None:
    keyring = _keyring(fresh)
    now = [1000.0]
    scheduler = CheckpointScheduler(fresh, keyring, tmp_path, interval=300, clock=lambda: now[0])
    head = _events(fresh)[-1]

    first = scheduler.tick(now[0])
    _add_subject(fresh, "yann")
    early = scheduler.tick(now[0] + 299)
    second = scheduler.tick(now[0] + 300)
    unchanged = scheduler.tick(now[0] + 600)

    assert first is not None and first.seq == head.seq
    assert early is None
    assert second is not None and second.seq == _events(fresh)[-1].seq
    assert unchanged is None
    assert scheduler.status.runs == 3
    assert scheduler.status.written == 2
    trail_dir = tmp_path / _events(fresh)[0].id
    assert sorted(p.name for p in trail_dir.iterdir()) == [
        f"{first.seq:012d}.json",
        f"{second.seq:012d}.json",
    ]
    written = json.loads((trail_dir / f"{second.seq:012d}.json").read_text())
    assert written["hash"] == second.hash
    assert written["key_id"] == keyring.current.id
    assert set(written) == {"format", "trail_id", "seq", "hash", "created_at", "key_id", "mac"}


def _add_subject(engine: Engine, subject_id: str) -> None:
    with session_scope(engine) as session:
        ensure_subject(
            session,
            subject_id=subject_id,
            display_name=subject_id,
            kind=SubjectKind.USER,
            justification="Joined",
        )


def test_the_schedule_outlives_a_failed_checkpoint(fresh: Engine, tmp_path: Path) -> None:
    keyring = _keyring(fresh)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the directory should be")
    now = [0.0]
    scheduler = CheckpointScheduler(fresh, keyring, blocked, interval=60, clock=lambda: now[0])

    retry_in = scheduler.worker.run_tick()  # what the worker's thread does, step by step
    failed = scheduler.worker.report()
    blocked.unlink()
    now[0] = retry_in
    scheduler.worker.run_tick()
    recovered = scheduler.worker.report()

    assert 0 < retry_in < 60  # retried after a backoff, not a whole interval later
    assert (failed.failures, failed.consecutive_failures) == (1, 1)
    assert "NotADirectoryError" in (failed.last_error or "") or "FileExistsError" in (
        failed.last_error or ""
    )
    assert recovered.consecutive_failures == 0
    assert scheduler.status.written == 1
    assert list((blocked / _events(fresh)[0].id).glob("*.json"))


def test_no_checkpoint_vouches_for_a_head_written_without_the_key(
    fresh: Engine, tmp_path: Path
) -> None:
    keyring = _keyring(fresh)
    with fresh.begin() as connection:
        connection.execute(
            text(
                "UPDATE audit_events SET justification = 'edited' WHERE seq = "
                "(SELECT MAX(seq) FROM audit_events)"
            )
        )

    with Session(fresh) as session, pytest.raises(CheckpointRefused, match="does not carry"):
        write_checkpoint(session, keyring, tmp_path, now=utcnow())
    assert list(tmp_path.iterdir()) == []


def test_a_rotated_key_still_verifies_what_the_old_key_signed(
    fresh: Engine, tmp_path: Path
) -> None:
    old = _keyring(fresh)
    new_key = AuditKey(b"n" * 64)
    rotated = AuditKeyring(current=new_key, previous=(old.current,))
    forgotten = AuditKeyring(current=new_key)
    with session_scope(fresh) as session:
        install_keyring(session, rotated)
        ensure_subject(
            session,
            subject_id="yann",
            display_name="Y",
            kind=SubjectKind.USER,
            justification="Joined",
        )

    with session_scope(fresh) as session:
        write_checkpoint(session, rotated, tmp_path, now=utcnow())
    with Session(fresh) as session:
        kept = verify_trail(session, rotated, tmp_path)
    with Session(fresh) as session:
        lost = verify_trail(session, forgotten, tmp_path)

    assert kept.valid is True, kept.findings
    assert _events(fresh)[-1].key_id == new_key.id
    assert lost.valid is False
    assert f"names key {old.current.id}, which this service does not hold" in (
        lost.findings[0].problem
    )


def test_the_key_file_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit-chain.key"

    first = ensure_key_file(path)
    second = ensure_key_file(path)

    assert first == second
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_production_never_makes_a_key_file_of_its_own(tmp_path: Path) -> None:
    missing = tmp_path / "mounted-secret" / "audit.key"
    settings = PolicySettings(
        **PRODUCTION, audit_key_file=missing, audit_checkpoint_dir=tmp_path / "checkpoints"
    )

    with pytest.raises(AuditKeyMissing, match="does not exist"):
        load_keyring(settings)
    assert not missing.exists()


def test_development_keeps_the_key_and_checkpoints_beside_a_sqlite_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_audit_environment(monkeypatch)
    embedded = PolicySettings(database_url="sqlite:///var/policy.db")
    postgres = PolicySettings(database_url="postgresql://x@db/policy")

    assert embedded.resolved_audit_key_file == Path("var/keys/audit-chain.key")
    assert embedded.resolved_audit_checkpoint_dir == Path("var/audit-checkpoints")
    assert postgres.resolved_audit_key_file == Path("var/keys/audit-chain.key")


@pytest.mark.parametrize(
    ("audit", "refusal"),
    [
        ({"audit_checkpoint_dir": "/worm/policy"}, "audit_key or audit_key_file is required"),
        (
            {"audit_key_file": "var/keys/audit-chain.key", "audit_checkpoint_dir": "/worm"},
            "the development audit key must not be used",
        ),
        ({"audit_key": "change-me", "audit_checkpoint_dir": "/worm"}, "placeholder"),
        ({"audit_key": "short-but-real", "audit_checkpoint_dir": "/worm"}, "at least 32"),
        ({"audit_key": "k" * 40}, "audit_checkpoint_dir is required"),
    ],
)
def test_production_refuses_development_audit_defaults(
    audit: dict[str, str], refusal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_audit_environment(monkeypatch)
    with pytest.raises(ValidationError, match=refusal):
        PolicySettings(**PRODUCTION, **audit)


def test_production_accepts_a_real_key_and_a_checkpoint_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_audit_environment(monkeypatch)
    settings = PolicySettings(**PRODUCTION, audit_key="k" * 40, audit_checkpoint_dir="/worm/policy")

    assert load_keyring(settings).current.id == AuditKey(b"k" * 40).id


def test_the_cli_checkpoints_and_verifies(
    fresh: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOWNHALL_POLICY_DATABASE_URL", database_url)
    monkeypatch.setenv("TOWNHALL_POLICY_AUDIT_CHECKPOINT_DIR", str(tmp_path))
    runner = CliRunner()

    written = runner.invoke(main, ["audit-checkpoint"])
    again = runner.invoke(main, ["audit-checkpoint"])
    verified = runner.invoke(main, ["audit-verify"])
    with fresh.begin() as connection:
        connection.execute(
            text("UPDATE grants SET role = 'policy_admin' WHERE subject_id = 'hugo'")
        )
    refused = runner.invoke(main, ["audit-verify"])

    assert written.exit_code == 0, written.output
    assert "policy audit checkpoint: event " in written.output
    assert again.output == "policy audit checkpoint: nothing new to checkpoint\n"
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    assert report["valid"] is True
    assert report["checkpoints_checked"] == 1
    assert refused.exit_code == 1
    assert json.loads(refused.output)["findings"][0]["table"] == "grants"


def test_migrate_keys_an_existing_trail(
    fresh: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make_legacy(fresh)
    monkeypatch.setenv("TOWNHALL_POLICY_DATABASE_URL", database_url)

    migrated = CliRunner().invoke(main, ["migrate"])

    assert migrated.exit_code == 0, migrated.output
    last = _events(fresh)[-1]
    assert last.event_type == CHAIN_KEYED
    assert f"policy audit trail keyed at event {last.seq}" in migrated.output


def test_a_deleted_trail_is_found_by_the_checkpoints_left_behind(
    fresh: Engine, tmp_path: Path
) -> None:
    keyring = _keyring(fresh)
    with session_scope(fresh) as session:
        write_checkpoint(session, keyring, tmp_path, now=utcnow())
    with fresh.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
        connection.execute(
            text("UPDATE policy_revision SET audit_seq = 0, audit_hash = :g"), {"g": GENESIS_HASH}
        )

    with Session(fresh) as session:
        outcome = verify_trail(session, keyring, tmp_path)

    assert outcome.valid is False
    checkpoint = [f for f in outcome.findings if f.kind == "checkpoint"]
    assert checkpoint[0].problem.startswith("the trail is empty but ")
    assert checkpoint[0].problem.endswith("its whole trail was deleted")
    # and every row the deleted events explained is now unexplained
    assert {f.table for f in outcome.findings if f.kind == "table"} >= {"grants", "subjects"}
