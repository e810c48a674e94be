"""The `townhall-portal` command: serve the pages."""

from __future__ import annotations

import typer
import uvicorn

from .settings import PortalSettings

main = typer.Typer(
    help=(
        "Townhall portal. Settings: TOWNHALL_PORTAL_* environment variables, every one "
        "listed in docs/settings.md."
    ),
    no_args_is_help=True,
    add_completion=False,
)


@main.command()
def serve() -> None:
    """Serve the pages on the configured host and port (default 127.0.0.1:8100)."""
    from .app import create_app

    settings = PortalSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


@main.command()
def migrate() -> None:
    """Nothing to migrate: the portal holds no data (kept so every service has the step)."""
    typer.echo("portal: no data of its own, nothing to migrate")


@main.command("new-language")
def new_language(language: str) -> None:
    """Start the catalogue of LANGUAGE (a code such as `de`) from English, every message
    left to translate: the only step to add a language (docs/portal.md)."""
    from .catalogues import start_catalogue

    typer.echo(start_catalogue(language))


if __name__ == "__main__":
    main()
