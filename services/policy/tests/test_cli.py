"""`townhall-policy migrate` and `seed`, run as an operator would."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from townhall_policy.cli import main
from townhall_policy.directory.errors import InvalidImport


def test_migrate_then_seed_twice(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOWNHALL_POLICY_DATABASE_URL", database_url)
    runner = CliRunner()

    migrated = runner.invoke(main, ["migrate"])
    first = runner.invoke(main, ["seed"])
    second = runner.invoke(main, ["seed"])

    assert migrated.exit_code == 0, migrated.output
    assert "policy database migrated" in migrated.output
    assert first.exit_code == 0, first.output
    assert "users: 15 created, 0 already present" in first.output
    assert "space domains: 5 registered" in first.output
    assert second.exit_code == 0, second.output
    assert "users: 0 created, 15 already present" in second.output
    assert "grants: 0 created" in second.output


def test_import_directory_from_a_csv_file(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TOWNHALL_POLICY_DATABASE_URL", database_url)
    runner = CliRunner()
    runner.invoke(main, ["migrate"])
    good = tmp_path / "people.csv"
    good.write_text(
        "id,kind,display_name,group_type,groups\n"
        "site-nantes,group,Nantes,site,\n"
        "yann,user,Yann Le Gall,,site-nantes\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("id,display_name\nNot An Id,x\n")
    args = ["--actor", "paul", "--justification", "HR export of 2026-11-28"]

    imported = runner.invoke(main, ["import-directory", str(good), *args])
    again = runner.invoke(main, ["import-directory", str(good), *args])
    refused = runner.invoke(main, ["import-directory", str(bad), *args])

    assert imported.exit_code == 0, imported.output
    assert "2 rows, 2 created" in imported.output
    assert "0 created, 0 updated, 2 unchanged" in again.output
    assert refused.exit_code != 0
    assert isinstance(refused.exception, InvalidImport)
