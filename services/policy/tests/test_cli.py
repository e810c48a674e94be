"""`townhall-policy migrate` and `seed`, run as an operator would."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from townhall_policy.cli import main


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
