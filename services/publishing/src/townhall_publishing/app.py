"""The publishing service's app factory and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import httpx
from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from townhall_clients import BreakerMetrics, CachedPolicy, PolicyClient
from townhall_contracts.events import STREAM, STREAM_SUBJECTS
from townhall_platform.app import create_app as create_service_app
from townhall_platform.bus import Bus, BusThread, NatsCredentials, StreamSpec
from townhall_platform.db import database_ready, make_engine
from townhall_platform.runtime import tune_for_serving
from townhall_platform.workers import WorkerGroup

from .database import tune_engine
from .deps import Writers
from .engagement.router import router as engagement_router
from .export.router import router as export_router
from .feed.router import router as feed_router
from .feeds.router import router as feeds_router
from .indicators.router import router as indicators_router
from .media.router import UPLOAD_PATH
from .media.router import router as media_router
from .media.storage import blob_store
from .moderation.router import router as moderation_router
from .objectives.live import LiveCounter
from .objectives.router import router as objectives_router
from .outbox.metrics import RelayMetrics
from .outbox.relay import OutboxRelay
from .policy_gate import PolicyGate
from .posts.lifecycle import follow_space
from .posts.router import router as posts_router
from .posts.views import ViewRecorder
from .scheduler.runner import Scheduler
from .searches.router import router as searches_router
from .settings import PublishingSettings
from .spaces.router import router as spaces_router
from .workflow.router import router as workflow_router

SERVICE_NAME = "publishing"
DESCRIPTION = (
    "Spaces; social posts and discussion; the official workflow (draft, approval, "
    "publication, schedule, retraction); acknowledgements; moderation; indicators; and "
    "the outbox of change events. Every change is decided by the policy service first "
    "and published on the event bus (NATS JetStream)."
)
_FORM_OVERHEAD_BYTES = 64_000
ROUTERS = [
    spaces_router,
    posts_router,
    media_router,
    engagement_router,
    feed_router,
    feeds_router,
    workflow_router,
    moderation_router,
    indicators_router,
    objectives_router,
    searches_router,
    export_router,
]


def create_app(
    settings: PublishingSettings | None = None,
    *,
    policy_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """Build the publishing app.

    The transport replaces the network under the policy client (tests give a fake of
    policy at that process boundary); by default it calls `settings.policy_url`. The
    relay publishes to `settings.nats_url`.
    """
    settings = settings or PublishingSettings()
    engine = tune_engine(
        make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
    )
    app = create_service_app(
        name=SERVICE_NAME,
        settings=settings,
        routers=ROUTERS,
        # Neither search nor NATS is a readiness dependency: publishing keeps writing
        # while they are down; the relay's backlog fails readiness once it is too old.
        readiness={
            "database": lambda: database_ready(engine),
            "policy": lambda: bool(app.state.policy_client.alive()),
            "workers": lambda: app.state.workers.readiness(),
        },
        lifespan=_lifespan(settings, engine),
        description=DESCRIPTION,
        # An upload's form holds the file and a few fields besides.
        body_limits=[(UPLOAD_PATH, settings.media_max_bytes + _FORM_OVERHEAD_BYTES)],
    )
    app.state.engine = engine
    app.state.media_store = blob_store(settings)
    app.state.writers = Writers(serial=engine.dialect.name == "sqlite")
    app.state.space_visibility_follower = follow_space
    _connect_clients(app, settings, policy_transport)
    _add_workers(app, settings, engine)
    return app


def _lifespan(
    settings: PublishingSettings, engine: Engine
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workers: WorkerGroup = app.state.workers
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        tune_for_serving()
        workers.start()
        try:
            yield
        finally:
            # Joining the threads blocks: keep it off the event loop.
            await to_thread.run_sync(workers.stop)
            await to_thread.run_sync(app.state.views.flush)
            app.state.policy_client.close()
            await to_thread.run_sync(app.state.publisher.close)
            engine.dispose()

    return lifespan


def _connect_clients(
    app: FastAPI,
    settings: PublishingSettings,
    policy_transport: httpx.BaseTransport | None,
) -> None:
    """The policy client and the policy gate on `app.state`."""
    identity = app.state.identity
    policy_client = PolicyClient.for_service(
        settings, token=identity.service_token, transport=policy_transport
    )
    if policy_client.breaker is not None:
        BreakerMetrics.register(app.state.registry, [policy_client.breaker])
    app.state.policy_client = policy_client
    app.state.policy_gate = PolicyGate(
        policy_client,
        answers=CachedPolicy(
            policy_client,
            ttl_seconds=settings.policy_cache_seconds,
            revision_check_seconds=settings.policy_revision_check_seconds,
        ),
    )


def _add_workers(app: FastAPI, settings: PublishingSettings, engine: Engine) -> None:
    """The background workers (relay, scheduler, view counter) the settings enable."""
    views = ViewRecorder(
        engine,
        interval=settings.scheduler_interval_seconds,
        stale_after=settings.worker_stale_after_seconds,
    )
    app.state.views = views
    app.state.scheduler = Scheduler(
        engine=engine,
        interval=settings.scheduler_interval_seconds,
        stale_after=settings.worker_stale_after_seconds,
    )
    app.state.publisher = event_publisher(settings)
    app.state.relay = build_relay(
        settings=settings,
        engine=engine,
        publisher=app.state.publisher,
        metrics=RelayMetrics.register(app.state.registry),
    )
    workers = WorkerGroup()
    if settings.relay_enabled:
        workers.add(app.state.relay.worker)
    if settings.scheduler_enabled:
        workers.add(app.state.scheduler.worker)
        workers.add(views.worker)
    if settings.scheduler_enabled and settings.objectives_live_seconds > 0:
        workers.add(_live_counter(app, settings, engine).worker)
    workers.register_metrics(app.state.registry)
    app.state.workers = workers


def _live_counter(app: FastAPI, settings: PublishingSettings, engine: Engine) -> LiveCounter:
    """Objectives' unsettled days recounted in the background, where the scheduler runs."""
    app.state.live_counter = LiveCounter(
        engine=engine,
        gate=app.state.policy_gate,
        live_for=timedelta(seconds=settings.objectives_live_seconds),
        floor=settings.objectives_privacy_floor,
        stale_after=max(settings.worker_stale_after_seconds, 2 * settings.objectives_live_seconds),
    )
    live_counter: LiveCounter = app.state.live_counter
    return live_counter


def event_publisher(settings: PublishingSettings) -> BusThread:
    """The relay's connection to NATS; it makes sure the events stream exists."""
    bus = Bus(
        settings.nats_url,
        name="publishing-relay",
        replicas=settings.nats_stream_replicas,
        credentials=NatsCredentials.of(settings),
    )
    stream = StreamSpec(
        STREAM,
        STREAM_SUBJECTS,
        duplicate_window_seconds=settings.nats_duplicate_window_seconds,
        max_age_seconds=settings.nats_max_age_seconds,
    )
    return BusThread(bus, streams=[stream])


def build_relay(
    *,
    settings: PublishingSettings,
    engine: Engine,
    publisher: BusThread,
    metrics: RelayMetrics,
) -> OutboxRelay:
    """The outbox relay configured from settings."""
    return OutboxRelay(
        engine=engine,
        publisher=publisher,
        publish_timeout=settings.http_timeout_seconds,
        metrics=metrics,
        batch_size=settings.relay_batch_size,
        poll_interval=settings.relay_poll_interval_seconds,
        initial_backoff=settings.relay_initial_backoff_seconds,
        max_backoff=settings.relay_max_backoff_seconds,
        max_lag=settings.relay_max_lag_seconds,
        coalesce=settings.relay_coalesce_seconds,
    )
