"""`townhall-policy`: serve, migrate, seed."""

from __future__ import annotations

import typer
import uvicorn
from sqlalchemy.engine import make_url

from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_policy.migrations import MIGRATIONS_DIR
from townhall_policy.seed import seed_demo
from townhall_policy.settings import PolicySettings

main = typer.Typer(
    name="townhall-policy",
    help="The Townhall policy service: roles, grants, decisions.",
    no_args_is_help=True,
    add_completion=False,
)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@main.command()
def serve() -> None:
    """Run the service with uvicorn on the configured host and port."""
    settings = PolicySettings()
    uvicorn.run(
        "townhall_policy.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
    )


@main.command()
def migrate() -> None:
    """Upgrade the policy database to the latest schema."""
    settings = PolicySettings()
    run_migrations(settings.database_url, MIGRATIONS_DIR)
    typer.echo(f"policy database migrated: {_safe_url(settings.database_url)}")


@main.command()
def seed() -> None:
    """Add the demo directory, spaces and grants (idempotent: a second run adds nothing)."""
    settings = PolicySettings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            report = seed_demo(session)
    finally:
        engine.dispose()
    for line in report.lines():
        typer.echo(f"policy seed: {line}")
