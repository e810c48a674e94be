"""The `townhall-publishing` command: serve, migrate, seed, relay-once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from prometheus_client import CollectorRegistry
from rich.console import Console
from sqlalchemy.engine import make_url

from townhall_clients import PolicyClient
from townhall_platform.app import build_identity
from townhall_platform.db import make_engine, normalize_url, run_migrations, session_scope
from townhall_platform.logs import configure_logging
from townhall_platform.runtime import serve as serve_app

from .app import SERVICE_NAME, build_relay, event_publisher
from .database import utcnow
from .objectives.reports import send_reports
from .objectives.service import roll_up
from .outbox.metrics import RelayMetrics
from .policy_gate import PolicyGate
from .searches.service import drop_expired
from .seed.population import seed_population
from .seed.service import seed_demo
from .settings import PublishingSettings

MIGRATIONS = Path(__file__).parent / "migrations"

main = typer.Typer(
    help=(
        "Townhall publishing. Settings: TOWNHALL_PUBLISHING_* environment variables, every one "
        "listed in docs/settings.md."
    ),
    no_args_is_help=True,
)
console = Console()


@main.command()
def serve() -> None:
    """Serve the API on the configured host and port (relay included)."""
    settings = PublishingSettings()
    configure_logging(service=SERVICE_NAME, json=settings.log_json, level=settings.log_level)
    # On SQLite one process writes: its writers take turns through an in-process lock.
    url = make_url(normalize_url(settings.database_url))
    if settings.workers > 1 and url.get_backend_name() == "sqlite":
        console.print(
            "[red]Several workers (TOWNHALL_PUBLISHING_WORKERS) need PostgreSQL: on SQLite "
            "one publishing process serves (set TOWNHALL_PUBLISHING_WORKERS=1).[/red]"
        )
        raise typer.Exit(code=2)
    serve_app("townhall_publishing.app:create_app", settings, workers=settings.workers)


@main.command()
def migrate() -> None:
    """Upgrade the publishing database to the latest schema."""
    settings = PublishingSettings()
    run_migrations(settings.database_url, MIGRATIONS)
    console.print("publishing: database migrated")


@main.command()
def seed(
    population: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help="Also add six weeks of activity by this many generated employees "
            "(seed policy with the same number).",
        ),
    ] = 0,
) -> None:
    """Migrate, then add the demo spaces, posts and comments that are missing."""
    settings = PublishingSettings()
    run_migrations(settings.database_url, MIGRATIONS)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            report = seed_demo(session, progress=lambda line: console.print(f"publishing: {line}"))
        if population:
            with session_scope(engine) as session:
                history = seed_population(session, population, now=utcnow())
            console.print(
                f"publishing: generated population: {history.notices} notices, "
                f"{history.acknowledgements} acknowledgements, {history.questions} questions"
                if history.created
                else "publishing: generated population already there"
            )
    finally:
        engine.dispose()
    added = report.spaces_created + report.posts_created + report.comments_created
    console.print(f"publishing: seed done, {added} records added")


@main.command()
def rollup() -> None:
    """Keep yesterday's value (and any missing day) of every open objective, send the
    reports due to their owners, drop the search queries past their retention; run daily."""
    settings = PublishingSettings()
    configure_logging(service=SERVICE_NAME, json=settings.log_json, level=settings.log_level)
    engine = make_engine(settings.database_url)
    identity = build_identity(SERVICE_NAME, settings)
    policy = PolicyClient.for_service(settings, token=identity.service_token)
    try:
        with session_scope(engine) as session:
            kept = roll_up(
                session=session,
                gate=PolicyGate(policy),
                now=utcnow(),
                floor=settings.objectives_privacy_floor,
                progress=lambda line: console.print(f"publishing rollup: {line}"),
            )
            reported = send_reports(
                session=session,
                gate=PolicyGate(policy),
                now=utcnow(),
                floor=settings.objectives_privacy_floor,
            )
            dropped = drop_expired(
                session=session,
                now=utcnow(),
                retention_days=settings.search_queries_retention_days,
            )
    finally:
        policy.close()
        engine.dispose()
    console.print(
        f"publishing rollup: {kept} day(s) kept, {reported} report(s) sent to owners, "
        f"{dropped} search(es) past retention dropped"
    )


@main.command("relay-once")
def relay_once() -> None:
    """Publish the pending outbox to NATS now, until empty or NATS fails."""
    settings = PublishingSettings()
    configure_logging(service=SERVICE_NAME, json=settings.log_json, level=settings.log_level)
    engine = make_engine(settings.database_url)
    publisher = event_publisher(settings)
    relay = build_relay(
        settings=settings,
        engine=engine,
        publisher=publisher,
        metrics=RelayMetrics.register(CollectorRegistry()),
    )
    delivered = 0
    try:
        while True:
            outcome = relay.run_once(respect_backoff=False)
            delivered += outcome.delivered
            if outcome.error is not None or outcome.locked_out or not outcome.batch_full:
                break
    finally:
        publisher.close()
        engine.dispose()
    if outcome.locked_out:
        # A serving instance's relay is delivering: it takes the outbox as it goes.
        console.print(f"publishing: {delivered} events delivered; another instance is relaying")
        return
    console.print(f"publishing: {delivered} events delivered, {outcome.pending} pending")
    if outcome.error is not None:
        console.print(f"publishing: NATS did not take the next batch: {outcome.error}")
        raise typer.Exit(code=1)


if __name__ == "__main__":
    main()
