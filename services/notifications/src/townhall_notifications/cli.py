"""The `townhall-notifications` command: serve, migrate, run-jobs-once."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from townhall_platform.db import run_migrations
from townhall_platform.logs import configure_logging
from townhall_platform.runtime import serve as serve_app

from .app import SERVICE_NAME
from .settings import NotificationsSettings

MIGRATIONS = Path(__file__).parent / "migrations"

main = typer.Typer(help="Townhall notifications service.", no_args_is_help=True)
console = Console()


@main.command()
def serve() -> None:
    """Serve the API on the configured host and port (the mail worker included)."""
    settings = NotificationsSettings()
    configure_logging(service=SERVICE_NAME, json=settings.log_json, level=settings.log_level)
    serve_app("townhall_notifications.app:create_app", settings)


@main.command()
def migrate() -> None:
    """Upgrade the notifications database to the latest schema."""
    run_migrations(NotificationsSettings().database_url, MIGRATIONS)
    console.print("notifications: database migrated")


@main.command()
def seed() -> None:
    """Migrate (notifications has no demo data of its own: it comes from events)."""
    migrate()


if __name__ == "__main__":
    main()
