"""The `townhall-search` command: run the service and prepare its index."""

from __future__ import annotations

import typer
import uvicorn

from .index import create_index
from .settings import SearchSettings

main = typer.Typer(help="Townhall search service.", no_args_is_help=True, add_completion=False)


@main.command()
def serve() -> None:
    """Serve the API on the configured host and port (default 127.0.0.1:8103)."""
    from .app import create_app

    settings = SearchSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


@main.command()
def migrate() -> None:
    """Create the index if it is missing (an existing index is left untouched)."""
    settings = SearchSettings()
    index = create_index(settings.index_dir)
    index.reload()
    documents = index.searcher().num_docs
    typer.echo(f"search index ready at {settings.index_dir} ({documents} documents)")


if __name__ == "__main__":
    main()
