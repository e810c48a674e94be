"""`townhall-policy bootstrap-admin` and org roles in the directory import, run as an
operator would; the resulting administrator is then obeyed by a running policy app."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from townhall_platform.auth import TokenIssuer
from townhall_platform.db import make_engine, session_scope
from townhall_platform.testing import temporary_postgres_database
from townhall_policy.app import create_app
from townhall_policy.audit.models import AuditEvent
from townhall_policy.cli import main
from townhall_policy.grants.errors import UnknownRole
from townhall_policy.provisioning.roles import active_policy_admins

from .conftest import bearer, make_settings

JUSTIFY = ["--actor", "hr-sync", "--justification", "HR export of 2026-12-07"]


@pytest.fixture
def migrated(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new installation of each test's own: migrated, an empty directory, no administrator."""
    with ExitStack() as stack:
        if backend == "sqlite":
            database_url = f"sqlite:///{tmp_path / 'policy.db'}"
        else:
            database_url = stack.enter_context(temporary_postgres_database("townhall_bootstrap"))
        monkeypatch.setenv("TOWNHALL_POLICY_DATABASE_URL", database_url)
        result = CliRunner().invoke(main, ["migrate"])
        assert result.exit_code == 0, result.output
        yield database_url


def admins(database_url: str) -> tuple[str, ...]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return active_policy_admins(session)
    finally:
        engine.dispose()


def events(database_url: str, event_type: str) -> list[AuditEvent]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            found = session.exec(select(AuditEvent).where(AuditEvent.event_type == event_type))
            return list(found.all())
    finally:
        engine.dispose()


def test_the_first_admin_is_made_once_and_audited(migrated: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["bootstrap-admin", "--user", "ada", "--display-name", "Ada L."])
    second = runner.invoke(main, ["bootstrap-admin", "--user", "bob", "--display-name", "Bob"])
    again = runner.invoke(main, ["bootstrap-admin", "--user", "ada"])

    assert first.exit_code == 0, first.output
    assert "ada is now policy administrator" in first.output
    assert second.exit_code == 0 and "nothing done" in second.output and "ada" in second.output
    assert again.exit_code == 0 and "nothing done" in again.output
    assert admins(migrated) == ("ada",)
    created = events(migrated, "grant.created")
    assert len(created) == 1
    assert created[0].actor.startswith("bootstrap:")
    assert json.loads(created[0].payload)["via"] == "bootstrap"
    assert [e.target for e in events(migrated, "subject.created")] == ["subject:ada"]


def test_an_unknown_user_without_a_name_is_refused(migrated: str) -> None:
    refused = CliRunner().invoke(main, ["bootstrap-admin", "--user", "nobody"])
    assert refused.exit_code == 1
    assert "not in the directory" in refused.output
    assert admins(migrated) == ()


def test_the_bootstrapped_admin_administers_the_running_service(
    migrated: str, signing_key_file: Path, token_issuer: TokenIssuer, tmp_path: Path
) -> None:
    runner = CliRunner()
    people = tmp_path / "people.csv"
    people.write_text("id,display_name\nyann,Yann Le Gall\n")
    assert runner.invoke(main, ["import-directory", str(people), *JUSTIFY]).exit_code == 0
    runner.invoke(main, ["bootstrap-admin", "--user", "ada", "--display-name", "Ada L."])
    body = {
        "subject": "yann",
        "role": "communicator",
        "domain": "org",
        "justification": "Joins the communications team",
    }
    with TestClient(create_app(make_settings(migrated, signing_key_file))) as client:
        by_admin = client.post(
            "/v1/grants", json=body, headers=bearer(token_issuer.user_token("ada"))
        )
        by_other = client.post(
            "/v1/grants", json=body, headers=bearer(token_issuer.user_token("yann"))
        )
    assert by_admin.status_code == 201, by_admin.text
    assert by_other.status_code == 403, by_other.text


@pytest.mark.postgresql_only
def test_replicas_bootstrapping_at_once_make_one_admin(migrated: str) -> None:
    # The console script, as an operator (or a deployment's Job per replica) runs it.
    command = [str(Path(sys.executable).parent / "townhall-policy"), "bootstrap-admin"]
    processes = [
        subprocess.Popen(
            [*command, "--user", name, "--display-name", name.title()],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for name in ("ada", "bob", "chloe")
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert sum("is now policy administrator" in output for output in outputs) == 1, outputs
    assert len(admins(migrated)) == 1


def test_the_import_grants_and_revokes_org_roles(migrated: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = tmp_path / "first.csv"
    first.write_text(
        "id,kind,display_name,group_type,roles\n"
        "site-nantes,group,Nantes,site,employee\n"
        "yann,user,Yann Le Gall,,communicator;approver\n"
        "zoe,user,Zoé,,\n"
    )
    later = tmp_path / "later.csv"
    later.write_text("id,display_name,roles\nyann,Yann Le Gall,communicator\n")
    silent = tmp_path / "silent.csv"
    silent.write_text("id,display_name\nyann,Yann Le Gall\n")

    imported = runner.invoke(main, ["import-directory", str(first), *JUSTIFY])
    again = runner.invoke(main, ["import-directory", str(first), *JUSTIFY])
    changed = runner.invoke(main, ["import-directory", str(later), *JUSTIFY])
    kept = runner.invoke(main, ["import-directory", str(silent), *JUSTIFY])

    assert imported.exit_code == 0, imported.output
    assert "3 roles granted, 0 revoked" in imported.output
    assert "0 roles granted, 0 revoked" in again.output
    assert "0 roles granted, 1 revoked" in changed.output
    assert "0 roles granted, 0 revoked" in kept.output
    revoked = [json.loads(e.payload) for e in events(migrated, "grant.revoked")]
    assert [(p["subject"], p["role"], p["via"]) for p in revoked] == [
        ("yann", "approver", "import")
    ]


@pytest.mark.parametrize(
    ("roles", "why"),
    [
        ("policy_admin", "bootstrap-admin"),
        ("owner", "not an org role"),
        ("wizard", "not an org role"),
    ],
)
def test_the_import_refuses_roles_it_may_not_give(
    migrated: str, tmp_path: Path, roles: str, why: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(f"id,display_name,roles\nyann,Yann,{roles}\n")
    refused = CliRunner().invoke(main, ["import-directory", str(path), *JUSTIFY])
    assert isinstance(refused.exception, UnknownRole)
    assert why in str(refused.exception.detail)
    # All rows or none: the user was not created either.
    assert events(migrated, "subject.created") == []
    assert admins(migrated) == ()
