"""The search service's app factory and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from anyio import to_thread
from fastapi import FastAPI

from townhall_clients import BreakerMetrics, PolicyClient, PublishingClient
from townhall_platform.app import create_app as create_service_app

from .documents.router import router as documents_router
from .index import IndexBackend, TantivyIndex
from .index.opensearch_backend import OpenSearchIndex
from .queries.cursor import CursorCodec
from .queries.principals import PrincipalsCache
from .queries.router import router as queries_router
from .reindex.router import router as reindex_router
from .reindex.service import Reindexer
from .settings import SearchSettings

DESCRIPTION = (
    "Townhall search: an index derived from publishing's events, queried with the "
    "caller's principals inside the query so that hits, totals, facets, highlights and "
    "suggestions only ever reflect what the caller may read. tantivy (embedded) or "
    "OpenSearch behind the same behaviour."
)


def open_index(settings: SearchSettings) -> IndexBackend:
    """The index backend the settings choose."""
    if settings.backend == "opensearch":
        return OpenSearchIndex.open(
            settings.opensearch_url,
            alias=settings.opensearch_index,
            timeout=settings.http_timeout_seconds,
        )
    return TantivyIndex.open(settings.index_dir, heap_bytes=settings.writer_heap_bytes)


def create_app(
    settings: SearchSettings | None = None,
    *,
    policy_transport: httpx.BaseTransport | None = None,
    publishing_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """Build the search service; the index opens (and takes its writer) at startup.

    The transports replace the network under the policy and publishing clients, for
    tests that stand in for those processes.
    """
    settings = settings or SearchSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        index = open_index(settings)
        policy = PolicyClient.for_service(
            settings, token=app.state.identity.service_token, transport=policy_transport
        )
        if policy.breaker is not None:
            app.state.breakers.append(policy.breaker)
        publishing = PublishingClient(
            settings.publishing_url,
            token=app.state.identity.service_token,
            timeout=max(settings.http_timeout_seconds, 30.0),
            transport=publishing_transport,
        )
        app.state.index = index
        app.state.policy_client = policy
        app.state.principals = PrincipalsCache(
            policy,
            ttl_seconds=settings.principals_cache_seconds,
            revision_check_seconds=settings.revision_check_seconds,
        )
        app.state.cursors = CursorCodec(
            settings.cursor_secret.get_secret_value().encode(),
            max_offset=settings.max_result_window - 1,
        )
        app.state.reindexer = Reindexer(
            index=index,
            source=lambda after, limit: publishing.export_documents(after=after, limit=limit),
            page_size=settings.reindex_page_size,
        )
        try:
            yield
        finally:
            app.state.index = None
            await to_thread.run_sync(index.close)
            policy.close()
            publishing.close()

    def index_ready() -> bool:
        index: IndexBackend | None = getattr(app.state, "index", None)
        return index is not None and index.ready()

    def policy_ready() -> bool:
        policy: PolicyClient | None = getattr(app.state, "policy_client", None)
        return policy is not None and policy.alive()

    app = create_service_app(
        name="search",
        settings=settings,
        routers=[queries_router, documents_router, reindex_router],
        readiness={"index": index_ready, "policy": policy_ready},
        lifespan=lifespan,
        description=DESCRIPTION,
    )
    # Filled when the lifespan builds the policy client; read at each scrape.
    app.state.breakers = []
    BreakerMetrics.register(app.state.registry, app.state.breakers)
    return app
