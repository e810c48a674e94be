"""Fixtures shared by every test suite in the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.testing import postgres_available, temporary_postgres_database

_POSTGRES = postgres_available()
BACKENDS = ["sqlite", "postgresql"] if _POSTGRES else ["sqlite"]


def pytest_report_header() -> str:
    return f"townhall database backends: {', '.join(BACKENDS)}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # PostgreSQL joins SQLite whenever it answers; when it does not, the PostgreSQL
    # cases are not generated at all rather than skipped (CI makes sure it answers).
    if "backend" in metafunc.fixturenames:
        # A module marked `one_backend` tests something with no database of its own (the
        # portal): the services' own tests already cover both backends.
        one = metafunc.definition.get_closest_marker("one_backend") is not None
        metafunc.parametrize("backend", BACKENDS[:1] if one else BACKENDS, scope="module")


@pytest.fixture(scope="module")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database on the backend under test, one per test module."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        with temporary_postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "signing-key.pem"
    ensure_signing_key(path)
    return path


@pytest.fixture(scope="session")
def token_issuer(signing_key_file: Path) -> TokenIssuer:
    """Mints tokens the services under test accept (default issuer and audiences)."""
    return TokenIssuer(
        ensure_signing_key(signing_key_file),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )
