"""The `townhall` command: `run`, `seed`, `migrate`, `token`."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from townhall_contracts import demo, demo_population
from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_platform.settings import ServiceSettings

from .launcher import SEEDED, SERVICES, Supervisor, run_step, service_environment

app = typer.Typer(help="Operate Townhall's embedded default.", no_args_is_help=True)
console = Console(stderr=True)

StateDir = Annotated[
    Path, typer.Option("--state-dir", help="Where databases, index and dev keys live.")
]


Population = Annotated[
    int,
    typer.Option(
        "--population",
        min=0,
        max=100_000,
        help="Generated employees over three sites, with six weeks of activity, beside the "
        "named demo users (0: the named users only).",
    ),
]


def _prepare(state_dir: Path, *, seed: bool, population: int = 0) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    ensure_signing_key(state_dir / "keys" / "dev-signing-key.pem")
    for spec in SERVICES:
        env = service_environment(spec, state_dir)
        console.print(f"[bold]{spec.name}[/]: migrating")
        run_step(spec, "migrate", env)
        if seed and spec.name in SEEDED:
            console.print(f"[bold]{spec.name}[/]: seeding demo data")
            run_step(spec, "seed", env, "--population", str(population))


@app.command()
def migrate(state_dir: StateDir = Path("var")) -> None:
    """Create or upgrade every service's database and the search index."""
    _prepare(state_dir.resolve(), seed=False)


@app.command()
def seed(
    state_dir: StateDir = Path("var"), population: Population = demo_population.DEFAULT_SIZE
) -> None:
    """Migrate, then load the demo directory, spaces and posts (idempotent)."""
    _prepare(state_dir.resolve(), seed=True, population=population)


@app.command()
def token(
    user: Annotated[str, typer.Argument(help="A demo user id, e.g. alice")],
    state_dir: StateDir = Path("var"),
    ttl_hours: Annotated[int, typer.Option(min=1, max=24 * 30)] = 12,
) -> None:
    """Print a bearer token for a demo user, and nothing else."""
    if user not in demo.user_ids():
        console.print(f"unknown demo user {user!r}; known: {', '.join(demo.user_ids())}")
        raise typer.Exit(2)
    settings = ServiceSettings()
    issuer = TokenIssuer(
        ensure_signing_key(state_dir.resolve() / "keys" / "dev-signing-key.pem"),
        issuer=settings.jwt_issuer,
        user_audience=settings.jwt_audience,
        service_audience=settings.service_audience,
    )
    typer.echo(issuer.user_token(user, ttl_seconds=ttl_hours * 3600))


def _print_welcome() -> None:
    portal = next((spec for spec in SERVICES if spec.name == "portal"), None)
    if portal is not None:
        console.print(f"[bold green]Townhall portal: {portal.url}[/]  (open it in a browser)")
    table = Table(title="Townhall is running", show_header=True)
    table.add_column("service")
    table.add_column("URL")
    table.add_column("API docs")
    for spec in SERVICES:
        docs = "-" if spec.name == "portal" else f"{spec.url}/docs"
        table.add_row(spec.name, spec.url, docs)
    console.print(table)
    people = Table(title="Demo users", show_header=True)
    people.add_column("id")
    people.add_column("who")
    people.add_column("org roles")
    for user in demo.USERS:
        people.add_row(user.id, f"{user.name}, {user.title}", ", ".join(user.org_roles) or "-")
    console.print(people)
    console.print(
        "Get a token:  [bold]uv run townhall token alice[/]\n"
        'Try it:       curl -H "Authorization: Bearer $(uv run townhall token alice)" '
        "'http://127.0.0.1:8103/v1/search?q=securite'\n"
        "Stop with Ctrl-C."
    )


@app.command()
def run(
    state_dir: StateDir = Path("var"),
    seed_demo: Annotated[bool, typer.Option("--seed/--no-seed", help="Load demo data.")] = True,
    population: Population = demo_population.DEFAULT_SIZE,
) -> None:
    """Migrate, seed, and run NATS, the portal and the services on 127.0.0.1 until Ctrl-C."""
    state_dir = state_dir.resolve()
    _prepare(state_dir, seed=seed_demo, population=population)
    supervisor = Supervisor(state_dir)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    try:
        supervisor.start_nats()
        supervisor.wait_nats()
        for spec in SERVICES:
            supervisor.start(spec)
        for spec in SERVICES:
            supervisor.wait_ready(spec)
        _print_welcome()
        while not stopping:
            exited = supervisor.first_exited()
            if exited:
                console.print(f"[red]{exited} stopped unexpectedly; stopping the others[/]")
                exit_code = 1
                break
            time.sleep(0.3)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/]")
        exit_code = 1
    finally:
        console.print("stopping services…")
        supervisor.stop()
        console.print("stopped.")
    raise typer.Exit(exit_code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
