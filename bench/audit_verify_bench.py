"""How long verifying the audit trail takes: `uv run python -m bench.audit_verify_bench`.

Builds a throwaway policy database (SQLite, or `--postgres` for a throwaway PostgreSQL
database on 127.0.0.1:5432), seeds the demo directory, then appends `--events` real
events through the services (users created, group memberships, grants and their
revocations, a quarter each), and times `verify_trail` over the whole trail: the keyed
chain, the checkpoints and the replay compared with the tables.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_platform.testing import temporary_postgres_database
from townhall_policy.audit.checkpoints import write_checkpoint
from townhall_policy.audit.keys import AuditKey, AuditKeyring, install_keyring
from townhall_policy.compliance.verify import verify_trail
from townhall_policy.directory.service import ensure_membership, ensure_subject
from townhall_policy.engine.engine import PolicyEngine
from townhall_policy.grants.service import grant_role, revoke_grant
from townhall_policy.holdings.directory.models import SubjectKind
from townhall_policy.migrations import MIGRATIONS_DIR
from townhall_policy.seed import seed_demo
from townhall_policy.timestamps import utcnow

console = Console(width=120)
KEYRING = AuditKeyring(current=AuditKey(b"bench-audit-key-" * 4))
BATCH = 500


def _append(engine: Engine, events: int) -> None:
    """About `events` events: per user, its creation, a membership, a grant, a revocation."""
    policy = PolicyEngine(engine, poll_seconds=1.0)
    snapshot = policy.reload()  # paul's authority, which every grant below is checked against
    users = events // 4
    for start in range(0, users, BATCH):
        with session_scope(engine) as session:
            install_keyring(session, KEYRING)
            for i in range(start, min(users, start + BATCH)):
                subject = f"bench-{i:06d}"
                ensure_subject(
                    session,
                    subject_id=subject,
                    display_name=subject,
                    kind=SubjectKind.USER,
                    justification="Bench user",
                )
                ensure_membership(
                    session,
                    group_id="engineering",
                    member_id=subject,
                    justification="Bench membership",
                )
                grant = grant_role(
                    session,
                    snapshot,
                    subject_id=subject,
                    role="employee",
                    domain="org",
                    granted_by="paul",
                    justification="Bench grant",
                )
                revoke_grant(
                    session,
                    snapshot,
                    grant_id=grant.id,
                    revoked_by="paul",
                    justification="Bench revoke",
                )


@contextmanager
def _database(postgres: bool, workdir: Path) -> Iterator[str]:
    if postgres:
        with temporary_postgres_database("townhall_bench") as url:
            yield url
    else:
        yield f"sqlite:///{workdir / 'policy.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _database(args.postgres, Path(tmp)) as url:
        workdir = Path(tmp)
        run_migrations(url, MIGRATIONS_DIR)
        engine = make_engine(url)
        with session_scope(engine) as session:
            install_keyring(session, KEYRING)
            seed_demo(session)
        started = time.perf_counter()
        _append(engine, args.events)
        appended = time.perf_counter() - started
        with session_scope(engine) as session:
            write_checkpoint(session, KEYRING, workdir / "checkpoints", now=utcnow())
        seconds = []
        for _ in range(args.runs):
            with Session(engine) as session:
                began = time.perf_counter()
                outcome = verify_trail(session, KEYRING, workdir / "checkpoints")
                seconds.append(time.perf_counter() - began)
            assert outcome.valid, outcome.findings[:3]
        engine.dispose()
    table = Table(title=f"verify over {outcome.events_checked:,} events")
    for column in ("backend", "events", "append (s)", "verify median (s)", "verify min (s)"):
        table.add_column(column)
    table.add_row(
        "postgresql" if args.postgres else "sqlite",
        f"{outcome.events_checked:,}",
        f"{appended:.1f}",
        f"{statistics.median(seconds):.3f}",
        f"{min(seconds):.3f}",
    )
    console.print(table)
    console.print(f"rows compared: {outcome.rows_checked}")


if __name__ == "__main__":
    main()
