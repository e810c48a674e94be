from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from townhall_platform.settings import ServiceSettings


def test_development_needs_no_secrets() -> None:
    settings = ServiceSettings(environment="development")
    assert settings.is_development


@pytest.mark.parametrize("token", [None, "", "change-me", "secret"])
def test_production_refuses_placeholder_service_tokens(token: str | None, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="service_token"):
        ServiceSettings(
            environment="production",
            jwks_url="https://idp.example/jwks",
            signing_key_file=tmp_path / "k.pem",
            service_token=token,
            database_url="postgresql://db/townhall",
        )


def test_production_refuses_the_development_key_and_sqlite(tmp_path: Path) -> None:
    base = {
        "environment": "production",
        "jwks_url": "https://idp.example/jwks",
        "service_token": "a-real-token-from-the-idp",
        "database_url": "postgresql://db/townhall",
    }
    with pytest.raises(ValidationError, match="development signing key"):
        ServiceSettings(**base)
    with pytest.raises(ValidationError, match="PostgreSQL"):
        ServiceSettings(**{**base, "signing_key_file": tmp_path / "k", "database_url": "sqlite://"})
    with pytest.raises(ValidationError, match="jwks_url"):
        ServiceSettings(**{**base, "signing_key_file": tmp_path / "k", "jwks_url": None})
    ok = ServiceSettings(**{**base, "signing_key_file": tmp_path / "k"})
    assert not ok.is_development


def test_settings_read_files_of_the_secrets_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Kubernetes Secret mounted as a volume: one file per variable, named like it.
    (tmp_path / "TOWNHALL_SERVICE_TOKEN").write_text("from-a-file\n")
    (tmp_path / "TOWNHALL_LOG_LEVEL").write_text("DEBUG")
    monkeypatch.setenv("TOWNHALL_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("TOWNHALL_LOG_LEVEL", "WARNING")

    settings = ServiceSettings()

    token = settings.service_token
    assert token is not None and token.get_secret_value() == "from-a-file"
    # The environment wins over a file.
    assert settings.log_level == "WARNING"
    monkeypatch.delenv("TOWNHALL_SECRETS_DIR")
    assert ServiceSettings().service_token is None
