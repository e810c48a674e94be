"""Migrations run once, however many processes start them at once (issue 19).

Before: two `migrate` commands on one PostgreSQL database failed (`UniqueViolation` on
`alembic_version`, every time for policy). Now each takes PostgreSQL's advisory lock
around Alembic: one upgrades, the others wait and find the schema at head.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from townhall.launcher import ServiceSpec, service_command, service_environment
from townhall_platform.db import normalize_url
from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port, temporary_postgres_database

pytestmark = pytest.mark.postgresql_only

PROCESSES = 3


@pytest.mark.parametrize("service", ["policy", "publishing"])
def test_concurrent_migrations_all_succeed(backend, service, tmp_path: Path, signing_key_file):
    with temporary_postgres_database(f"townhall_mig_{service}") as url:
        spec = ServiceSpec(service, free_port())
        base = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
        env = service_environment(spec, tmp_path, base)
        env[spec.env_prefix + "ENVIRONMENT"] = "test"
        env[spec.env_prefix + "SIGNING_KEY_FILE"] = str(signing_key_file)
        env[spec.env_prefix + "DATABASE_URL"] = url
        runs = [
            subprocess.Popen(
                [*service_command(service), "migrate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(PROCESSES)
        ]
        outputs = [run.communicate(timeout=STARTUP_WAIT_SECONDS * 2)[0].decode() for run in runs]

        assert [run.returncode for run in runs] == [0] * PROCESSES, "\n".join(outputs)
        engine = create_engine(normalize_url(url))
        try:
            with engine.connect() as connection:
                versions = connection.execute(text("SELECT count(*) FROM alembic_version"))
                assert versions.scalar_one() == 1
        finally:
            engine.dispose()
