"""The `townhall-search` command: run the service, prepare and rebuild its index."""

from __future__ import annotations

import time

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from townhall_clients import SearchClient
from townhall_platform.app import build_identity

from .settings import SearchSettings

main = typer.Typer(
    help=(
        "Townhall search. Settings: TOWNHALL_SEARCH_* environment variables, every one "
        "listed in docs/settings.md."
    ),
    no_args_is_help=True,
    add_completion=False,
)


@main.command()
def serve() -> None:
    """Serve the API on the configured host and port (default 127.0.0.1:8103)."""
    from .app import create_app

    settings = SearchSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


@main.command()
def migrate() -> None:
    """Create the index if it is missing (an existing index is left untouched)."""
    from .app import open_index

    settings = SearchSettings()
    index = open_index(settings)
    try:
        documents = index.count()
        damage = index.damage()
    finally:
        index.close()
    where = settings.opensearch_index if settings.backend == "opensearch" else settings.index_dir
    if damage is not None:
        typer.echo(f"search index at {where} is damaged ({damage}); `serve` rebuilds it")
        return
    typer.echo(f"search index ready at {where} ({documents} documents)")


@main.command()
def reindex(
    url: str = typer.Option("", help="The running search service (default: settings)"),
    poll: float = typer.Option(0.5, min=0.05, help="Seconds between progress checks"),
) -> None:
    """Rebuild the index from publishing in the running service, showing progress.

    Searches keep answering from the old index until the switch.
    """
    settings = SearchSettings()
    identity = build_identity("search", settings)
    client = SearchClient(url or settings.search_url, token=identity.service_token, timeout=10.0)
    console = Console(stderr=True)
    try:
        status = client.reindex()
        with Progress(
            TextColumn("reindexing ({task.fields[backend]})"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("reindex", total=None, backend=status["backend"])
            while status["state"] == "running":
                progress.update(task, completed=status["processed"], total=status["total"] or None)
                time.sleep(poll)
                status = client.reindex_status()
            progress.update(task, completed=status["processed"], total=status["total"] or 1)
    finally:
        client.close()
    if status["state"] != "succeeded":
        console.print(f"[red]reindex failed:[/red] {status.get('error')}")
        raise typer.Exit(1)
    typer.echo(f"reindexed {status['processed']} documents; the new index is live")


if __name__ == "__main__":
    main()
