"""A cluster that does not answer is a dependency down: 503 problem+json, not 500.

opensearch-py raises its `TransportError` family from any call; the backend does not
wrap each call, so the app maps them once here. A refused or timed-out connection, an
overloaded cluster (429) or a failing one (5xx) mean "try again later"; any other
answer (4xx) is a request we built wrong, which stays an internal error.
"""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from opensearchpy import ConnectionError as ClusterConnectionError
from opensearchpy import TransportError

from townhall_platform.errors import TownhallError, problem_response

from .opensearch_layout import IndexUnavailable

log = structlog.get_logger()


def cluster_unavailable(exc: TransportError) -> bool:
    """Whether the error says the cluster could not answer (rather than refused us)."""
    if isinstance(exc, ClusterConnectionError):  # refused, reset or timed out
        return True
    status = exc.status_code
    return isinstance(status, int) and (status == 429 or status >= 500)


def install_cluster_error_handler(app: FastAPI) -> None:
    async def on_transport_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TransportError)
        if not cluster_unavailable(exc):
            log.error("unhandled_error", path=request.url.path, exc_info=exc)
            return problem_response(TownhallError("An unexpected error occurred."), request)
        # Expected while the cluster is down or overloaded: one line, no traceback.
        log.warning("index_unavailable", path=request.url.path, error=str(exc)[:300])
        return problem_response(
            IndexUnavailable("The search index did not answer; try again shortly."), request
        )

    app.add_exception_handler(TransportError, on_transport_error)
