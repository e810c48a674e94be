"""An instance whose database is not migrated answers, but is not ready and fails closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from townhall_platform.auth import TokenIssuer
from townhall_policy.app import create_app
from townhall_policy.settings import PolicySettings


def test_an_unmigrated_database_is_not_ready(
    tmp_path: Path, signing_key_file: Path, token_issuer: TokenIssuer
) -> None:
    settings = PolicySettings(
        environment="test",
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        signing_key_file=signing_key_file,
    )
    headers = {"Authorization": f"Bearer {token_issuer.service_token('publishing')}"}

    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        decision = client.post(
            "/v1/decisions",
            json={"subject": "alice", "action": "read", "domain": "org"},
            headers=headers,
        )

    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": True, "policy": False, "workers": True}
    assert decision.status_code == 503
    assert decision.headers["content-type"] == "application/problem+json"
    assert decision.json()["type"].endswith("/dependency-unavailable")


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "DATABASE_URL", "REVISION_POLL_SECONDS"):
        monkeypatch.delenv(f"TOWNHALL_POLICY_{name}", raising=False)

    settings = PolicySettings()

    assert settings.port == 8101
    assert settings.database_url == "sqlite:///var/policy.db"
    assert settings.revision_poll_seconds == 0.5


def test_settings_come_from_the_policy_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOWNHALL_POLICY_PORT", "9101")

    assert PolicySettings().port == 9101
