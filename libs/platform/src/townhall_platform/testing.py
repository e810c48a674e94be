"""Helpers for the services' test suites: real PostgreSQL databases and test keys.

Kept in the library (like starlette.testclient) so every service's tests share them.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql

POSTGRES_ADMIN_URL = os.environ.get(
    "TOWNHALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

# How long a test waits for a process or server it started to be ready, or for something it
# caused to happen. Generous: on a loaded CI machine a service can take a minute to import and
# migrate; a wait that holds ends as soon as its condition is met, so this costs nothing otherwise.
STARTUP_WAIT_SECONDS = 180.0
EVENTUALLY_SECONDS = 60.0


def postgres_available() -> bool:
    """True when the test PostgreSQL answers (CI makes sure it does)."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=10) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _url_for(database: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


@contextmanager
def temporary_postgres_database(prefix: str = "townhall_test") -> Iterator[str]:
    """Create a fresh database, yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _url_for(name)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ManualClock:
    """A clock the test moves by hand: `clock()` is the time, `advance(seconds)` moves it.

    Given to the code in place of `datetime.now(UTC)`, it lets a test cross a deadline
    without sleeping, so the outcome does not depend on how busy the machine is.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def at(self, seconds: float) -> datetime:
        """The time `seconds` from now on this clock."""
        return self.now + timedelta(seconds=seconds)
