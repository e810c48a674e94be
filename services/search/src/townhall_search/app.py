"""The search service's app factory and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from townhall_clients import PolicyClient
from townhall_platform.app import create_app as create_service_app

from .documents.router import router as documents_router
from .index import IndexBackend, TantivyIndex
from .queries.cursor import CursorCodec
from .queries.principals import PrincipalsCache
from .queries.router import router as queries_router
from .settings import SearchSettings

DESCRIPTION = (
    "Townhall search: an index derived from publishing's events, queried with the "
    "caller's principals inside the query so that hits, totals, facets and highlights "
    "only ever reflect what the caller may read."
)


def create_app(
    settings: SearchSettings | None = None,
    *,
    policy_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """Build the search service; the index opens (and takes its writer) at startup.

    `policy_transport` replaces the network under the policy client, for tests that
    stand in for the policy process.
    """
    settings = settings or SearchSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        index = TantivyIndex.open(settings.index_dir, heap_bytes=settings.writer_heap_bytes)
        policy = PolicyClient(
            settings.policy_url,
            token=app.state.identity.service_token,
            timeout=settings.http_timeout_seconds,
            transport=policy_transport,
        )
        app.state.index = index
        app.state.principals = PrincipalsCache(
            policy, ttl_seconds=settings.principals_cache_seconds
        )
        app.state.cursors = CursorCodec(
            settings.cursor_secret.get_secret_value().encode(),
            max_offset=settings.max_result_window - 1,
        )
        try:
            yield
        finally:
            app.state.index = None
            index.close()
            policy.close()

    def index_ready() -> bool:
        index: IndexBackend | None = getattr(app.state, "index", None)
        return index is not None and index.ready()

    app = create_service_app(
        name="search",
        settings=settings,
        routers=[queries_router, documents_router],
        readiness={"index": index_ready},
        lifespan=lifespan,
        description=DESCRIPTION,
    )
    return app
