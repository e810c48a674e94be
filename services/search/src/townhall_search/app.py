"""The search service's app factory and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx
from anyio import to_thread
from fastapi import FastAPI
from prometheus_client import Gauge

from townhall_clients import BreakerMetrics, CachedPolicy, PolicyClient, PublishingClient
from townhall_platform.app import create_app as create_service_app
from townhall_platform.bus import Bus, BusMetrics, NatsCredentials

from .documents.consumer import BusIndexer, consumer_options
from .documents.router import router as documents_router
from .index import IndexBackend, TantivyIndex
from .index.cluster_errors import install_cluster_error_handler
from .index.opensearch_backend import OpenSearchIndex
from .queries.cursor import CursorCodec
from .queries.log import SearchLog
from .queries.router import router as queries_router
from .reindex.router import router as reindex_router
from .reindex.service import Reindexer
from .reindex.watch import IndexWatch
from .settings import SearchSettings
from .vocabulary.cluster_store import ClusterVocabulary
from .vocabulary.repository import VocabularyFile
from .vocabulary.router import router as vocabulary_router
from .vocabulary.store import VocabularyStore

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
            shards=settings.opensearch_shards,
            replicas=settings.opensearch_replicas,
            lock_seconds=settings.reindex_lock_seconds,
        )
    return TantivyIndex.open(
        settings.index_dir,
        heap_bytes=settings.writer_heap_bytes,
        rebuild_heap_bytes=settings.rebuild_heap_bytes,
    )


def open_vocabulary(settings: SearchSettings, index: IndexBackend) -> VocabularyStore:
    """Where the vocabulary is kept: where every instance reading the same index sees it."""
    if isinstance(index, OpenSearchIndex):
        return ClusterVocabulary(
            index.client,
            index.layout.vocabulary_index,
            check_seconds=settings.vocabulary_check_seconds,
        )
    return VocabularyFile(settings.vocabulary_path)


def create_app(
    settings: SearchSettings | None = None,
    *,
    policy_transport: httpx.BaseTransport | None = None,
    publishing_transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> FastAPI:
    """Build the search service; the index opens (and takes its writer) at startup.

    The transports replace the network under the policy and publishing clients, for
    tests that stand in for those processes; `clock` is the time cached policy answers
    expire by (tests move it instead of sleeping).
    """
    wiring = _Wiring(settings or SearchSettings(), policy_transport, publishing_transport, clock)
    app = create_service_app(
        name="search",
        settings=wiring.settings,
        routers=[queries_router, documents_router, reindex_router, vocabulary_router],
        readiness={"index": lambda: _index_ready(app), "policy": lambda: _policy_ready(app)},
        lifespan=_lifespan(wiring),
        description=DESCRIPTION,
        search_paths=("/v1/search",),
        typeahead_paths=("/v1/search/suggestions",),
    )
    install_cluster_error_handler(app)
    # Filled when the lifespan builds the policy client; read at each scrape.
    app.state.breakers = []
    BreakerMetrics.register(app.state.registry, app.state.breakers)
    app.state.bus_metrics = BusMetrics.register(app.state.registry)
    register_index_metrics(app)
    return app


@dataclass(frozen=True, slots=True)
class _Wiring:
    """What the lifespan builds the service from."""

    settings: SearchSettings
    policy_transport: httpx.BaseTransport | None
    publishing_transport: httpx.BaseTransport | None
    clock: Callable[[], float]


def _lifespan(wiring: _Wiring) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    settings = wiring.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        token = app.state.identity.service_token
        index = open_index(settings)
        app.state.vocabulary = open_vocabulary(settings, index)
        policy = PolicyClient.for_service(settings, token=token, transport=wiring.policy_transport)
        if policy.breaker is not None:
            app.state.breakers.append(policy.breaker)
        app.state.index = index
        app.state.policy_client = policy
        app.state.policy_answers = CachedPolicy(
            policy,
            ttl_seconds=settings.principals_cache_seconds,
            revision_check_seconds=settings.revision_check_seconds,
            clock=wiring.clock,
        )
        app.state.cursors = CursorCodec(
            settings.cursor_secret.get_secret_value().encode(),
            max_offset=settings.max_result_window - 1,
        )
        publishing = PublishingClient(
            settings.publishing_url,
            token=token,
            timeout=max(settings.http_timeout_seconds, 30.0),
            transport=wiring.publishing_transport,
        )
        # The check asks with the ordinary timeout: readiness waits for its first answer.
        outbox = PublishingClient(
            settings.publishing_url,
            token=token,
            timeout=settings.http_timeout_seconds,
            transport=wiring.publishing_transport,
        )
        app.state.search_log = _search_log(wiring, token)
        indexer = _start_indexer(app, settings)
        watch = _start_index_watch(app, settings, index, publishing, outbox, indexer)
        try:
            yield
        finally:
            await _stop_indexer(app)
            await to_thread.run_sync(watch.stop)
            app.state.index = None
            await to_thread.run_sync(index.close)
            policy.close()
            publishing.close()
            outbox.close()
            app.state.search_log.close()

    return lifespan


def _search_log(wiring: _Wiring, token: Callable[[], str]) -> SearchLog:
    """The reports of searches to publishing, or none when recording is off."""
    settings = wiring.settings
    if not settings.record_queries:
        return SearchLog(None)
    client = PublishingClient(
        settings.publishing_url,
        token=token,
        timeout=settings.http_timeout_seconds,
        transport=wiring.publishing_transport,
    )
    return SearchLog(client)


def _start_index_watch(
    app: FastAPI,
    settings: SearchSettings,
    index: IndexBackend,
    publishing: PublishingClient,
    outbox: PublishingClient,
    indexer: BusIndexer | None,
) -> IndexWatch:
    """The rebuild from publishing's export, and the check that starts it when needed."""
    reindexer = Reindexer(
        index=index,
        source=lambda after, limit: publishing.export_documents(after=after, limit=limit),
        page_size=settings.reindex_page_size,
        delivered=lambda: publishing.export_summary().delivered_through,
    )
    app.state.reindexer = reindexer
    watch = IndexWatch(
        index=index,
        reindexer=reindexer,
        summary=lambda through: outbox.export_summary(through=through),
        interval=settings.index_check_seconds,
        caught_up_at=(lambda: indexer.caught_up_at) if indexer is not None else None,
    )
    app.state.index_watch = watch
    watch.start()
    return watch


def _start_indexer(app: FastAPI, settings: SearchSettings) -> BusIndexer | None:
    """The bus consumer that applies publishing's document events, as a task of the
    app's event loop (the index work itself runs in a worker thread)."""
    app.state.bus = app.state.indexer_task = None
    if not settings.bus_enabled:
        return None
    bus = Bus(
        settings.nats_url,
        name="search-indexer",
        replicas=settings.nats_stream_replicas,
        metrics=app.state.bus_metrics,
        credentials=NatsCredentials.of(settings),
    )
    indexer = BusIndexer(
        bus=bus,
        index=lambda: getattr(app.state, "index", None),
        options=consumer_options(settings.bus_batch_size, settings.bus_max_deliver),
    )
    app.state.bus = bus
    app.state.indexer_task = asyncio.create_task(indexer.run(), name="search-indexer")
    return indexer


async def _stop_indexer(app: FastAPI) -> None:
    task: asyncio.Task[None] | None = app.state.indexer_task
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if app.state.bus is not None:
        await app.state.bus.close()


def _index_ready(app: FastAPI) -> bool:
    index: IndexBackend | None = getattr(app.state, "index", None)
    watch: IndexWatch | None = getattr(app.state, "index_watch", None)
    if index is None or watch is None:
        return False
    # Raises `NotReady` with the reason and the rebuild's progress.
    watch.readiness()
    return index.ready()


def _policy_ready(app: FastAPI) -> bool:
    policy: PolicyClient | None = getattr(app.state, "policy_client", None)
    return policy is not None and policy.alive()


def register_index_metrics(app: FastAPI) -> None:
    """The index's check and rebuild in /metrics, read from the running watch."""

    def watch() -> IndexWatch | None:
        return getattr(app.state, "index_watch", None)

    def reindexer() -> Reindexer | None:
        return getattr(app.state, "reindexer", None)

    gauges: dict[str, tuple[str, Callable[[], float]]] = {
        "townhall_search_index_problem": (
            "1 while the index is damaged or disagrees with publishing (rebuilding)",
            lambda: float((w := watch()) is not None and w.problem is not None),
        ),
        "townhall_search_index_verified": (
            "1 when the last check asked publishing and found the index whole",
            lambda: float((w := watch()) is not None and w.verified),
        ),
        "townhall_search_index_checks": (
            "Checks of the index against publishing since the process started",
            lambda: float(w.checks if (w := watch()) is not None else 0),
        ),
        "townhall_search_index_automatic_rebuilds": (
            "Rebuilds started because the index was damaged or disagreed with publishing",
            lambda: float(w.rebuilds if (w := watch()) is not None else 0),
        ),
        "townhall_search_reindex_running": (
            "1 while a rebuild fills a new index",
            lambda: float((r := reindexer()) is not None and r.status().state == "running"),
        ),
        "townhall_search_reindex_processed_documents": (
            "Documents the current or last rebuild has loaded",
            lambda: float(r.status().processed if (r := reindexer()) is not None else 0),
        ),
        "townhall_search_reindex_total_documents": (
            "Documents the current or last rebuild has to load",
            lambda: float(r.status().total if (r := reindexer()) is not None else 0),
        ),
    }
    for name, (documentation, read) in gauges.items():
        Gauge(name, documentation, registry=app.state.registry).set_function(read)
