"""`townhall-policy`: serve, migrate, seed, import the directory, checkpoint, verify."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from sqlalchemy.engine import make_url

from townhall_platform.db import make_engine, migration_lock, run_migrations, session_scope
from townhall_platform.errors import TownhallError
from townhall_platform.runtime import serve as serve_app
from townhall_policy.audit.checkpoints import CheckpointRefused, write_checkpoint
from townhall_policy.audit.keys import install_keyring, load_keyring
from townhall_policy.audit.trail import key_trail
from townhall_policy.bootstrap import run_bootstrap
from townhall_policy.compliance.schemas import verify_report
from townhall_policy.compliance.verify import verify_trail
from townhall_policy.migrations import MIGRATIONS_DIR
from townhall_policy.oauth.service import secret_digest
from townhall_policy.provisioning.importer import apply_records, parse_csv
from townhall_policy.seed import seed_demo, seed_population
from townhall_policy.settings import PolicySettings
from townhall_policy.timestamps import utcnow

main = typer.Typer(
    name="townhall-policy",
    help=(
        "The Townhall policy service: roles, grants, decisions, audit. Settings: "
        "TOWNHALL_POLICY_* environment variables, every one listed in docs/settings.md."
    ),
    no_args_is_help=True,
    add_completion=False,
)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@main.command()
def serve() -> None:
    """Run the service with uvicorn on the configured host and port."""
    settings = PolicySettings()
    serve_app("townhall_policy.app:create_app", settings, workers=settings.workers)


@main.command()
def migrate() -> None:
    """Upgrade the policy database to the latest schema."""
    settings = PolicySettings()
    run_migrations(settings.database_url, MIGRATIONS_DIR)
    typer.echo(f"policy database migrated: {_safe_url(settings.database_url)}")
    engine = make_engine(settings.database_url)
    try:
        # Keying appends to the audit chain: one migrating process at a time does it.
        with migration_lock(settings.database_url):
            keyed = key_trail(engine, load_keyring(settings))
    finally:
        engine.dispose()
    if keyed is not None:
        typer.echo(f"policy audit trail keyed at event {keyed.seq}")


@main.command()
def seed(
    population: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help="Also add this many generated employees over three sites (for breakdowns).",
        ),
    ] = 0,
) -> None:
    """Add the demo directory, spaces and grants (idempotent: a second run adds nothing)."""
    settings = PolicySettings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            install_keyring(session, load_keyring(settings))
            report = seed_demo(session)
        if population:
            with session_scope(engine) as session:
                generated = seed_population(session, population)
    finally:
        engine.dispose()
    for line in report.lines():
        typer.echo(f"policy seed: {line}")
    if population:
        for line in generated.lines():
            typer.echo(f"policy seed (generated population): {line}")


@main.command("import-directory")
def import_directory(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    actor: Annotated[str, typer.Option(help="Who runs the import (recorded in the audit trail)")],
    justification: Annotated[str, typer.Option(help="Why (recorded with every change)")],
) -> None:
    """Import users and groups from a CSV file, all rows or none, showing progress."""
    records = parse_csv(path.read_text(encoding="utf-8-sig"))
    settings = PolicySettings()
    engine = make_engine(settings.database_url)
    try:
        with (
            Progress(transient=True) as progress,
            session_scope(engine) as session,
        ):
            install_keyring(session, load_keyring(settings))
            task = progress.add_task(f"importing {path.name}", total=len(records))
            outcome = apply_records(
                session,
                records,
                actor=actor,
                justification=justification,
                progress=lambda done: progress.update(task, completed=done),
            )
    finally:
        engine.dispose()
    typer.echo(
        f"policy directory import: {outcome.rows} rows, {outcome.created} created, "
        f"{outcome.updated} updated, {outcome.unchanged} unchanged, "
        f"{outcome.deactivated} deactivated, {outcome.reactivated} reactivated, "
        f"{outcome.roles_granted} roles granted, {outcome.roles_revoked} revoked"
    )


@main.command("bootstrap-admin")
def bootstrap_admin_command(
    user: Annotated[str, typer.Option(help="The subject id of the first policy administrator")],
    display_name: Annotated[
        str | None, typer.Option(help="Creates the user with this name if the directory lacks it")
    ] = None,
    email: Annotated[str | None, typer.Option(help="The new user's e-mail")] = None,
    justification: Annotated[
        str, typer.Option(help="Why (recorded in the audit trail)")
    ] = "First policy administrator, made at installation",
) -> None:
    """Make the first policy administrator, once: does nothing while an administrator exists.

    Run after `migrate`; several replicas running it at once make one administrator.
    """
    settings = PolicySettings()
    try:
        outcome = run_bootstrap(
            settings,
            user=user,
            display_name=display_name,
            email=email,
            justification=justification,
        )
    except TownhallError as exc:
        typer.echo(f"policy bootstrap refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    admins = ", ".join(outcome.admins)
    if outcome.created:
        typer.echo(f"policy bootstrap: {user} is now policy administrator (audited)")
    else:
        typer.echo(f"policy bootstrap: nothing done, policy administrators exist: {admins}")


@main.command("oauth-client")
def oauth_client(
    name: Annotated[str, typer.Argument(help="The client id: the service's name, e.g. search")],
) -> None:
    """Make a client secret for policy's token endpoint: the secret goes to the service
    (`TOWNHALL_<SERVICE>_CLIENT_SECRET`), its digest to `TOWNHALL_POLICY_OAUTH_CLIENTS`."""
    secret = secrets.token_urlsafe(32)
    typer.echo(f"client_id={name}")
    typer.echo(f"client_secret={secret}")
    typer.echo(f'oauth_clients entry: "{name}": "{secret_digest(secret)}"')


@main.command("audit-checkpoint")
def audit_checkpoint() -> None:
    """Write a signed checkpoint of the audit trail's head to the checkpoint directory.

    The service writes one every `audit_checkpoint_interval_seconds`; run this from a
    scheduler of your own (cron) as well, or before a backup.
    """
    settings = PolicySettings()
    directory = settings.resolved_audit_checkpoint_dir
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            checkpoint = write_checkpoint(session, load_keyring(settings), directory, now=utcnow())
    except CheckpointRefused as exc:
        typer.echo(f"policy audit checkpoint refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    if checkpoint is None:
        typer.echo("policy audit checkpoint: nothing new to checkpoint")
    else:
        typer.echo(
            f"policy audit checkpoint: event {checkpoint.seq} "
            f"({checkpoint.hash[:12]}…) written under {directory / checkpoint.trail_id}"
        )


@main.command("audit-verify")
def audit_verify() -> None:
    """Verify the audit trail (chain, checkpoints, tables); exit 1 on any finding.

    Prints the report as JSON, the same as `GET /v1/audit/verify`.
    """
    settings = PolicySettings()
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            outcome = verify_trail(
                session, load_keyring(settings), settings.resolved_audit_checkpoint_dir
            )
    finally:
        engine.dispose()
    typer.echo(verify_report(outcome).model_dump_json(indent=2))
    if not outcome.valid:
        raise typer.Exit(1)
