"""The notifications service's app factory and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from townhall_clients import BreakerMetrics, CachedPolicy, PolicyClient, PublishingClient
from townhall_platform.app import create_app as create_service_app
from townhall_platform.bus import BusMetrics, NatsCredentials
from townhall_platform.db import database_ready, make_engine
from townhall_platform.workers import Worker, WorkerGroup

from .bus import BusConsumer
from .delivery.router import router as events_router
from .inbox.router import router as inbox_router
from .jobs import Jobs
from .mail.render import Renderer
from .mail.router import router as dev_mail_router
from .mail.sender import SmtpConfig, SmtpSender
from .mail.sink import SmtpSink
from .preferences.router import router as preferences_router
from .preferences.service import PreferenceBook
from .reach import Reach
from .settings import NotificationsSettings
from .webhooks.router import router as webhooks_router

SERVICE_NAME = "notifications"
DESCRIPTION = (
    "Inboxes, preferences, e-mail (immediate and digests) from publishing's events. "
    "Recipients are resolved by the policy service and checked again at delivery time."
)
ROUTERS = [inbox_router, preferences_router, events_router, webhooks_router, dev_mail_router]


def create_app(
    settings: NotificationsSettings | None = None,
    *,
    policy_transport: httpx.BaseTransport | None = None,
    publishing_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """Build the notifications app; `policy_transport` replaces the network to policy."""
    settings = settings or NotificationsSettings()
    engine = make_engine(settings.database_url)
    app = create_service_app(
        name=SERVICE_NAME,
        settings=settings,
        routers=ROUTERS,
        readiness={
            "database": lambda: database_ready(engine),
            "policy": lambda: bool(app.state.policy_client.alive()),
            "workers": lambda: app.state.workers.readiness(),
        },
        lifespan=_lifespan(settings, engine),
        description=DESCRIPTION,
    )
    app.state.engine = engine
    policy = PolicyClient.for_service(
        settings, token=app.state.identity.service_token, transport=policy_transport
    )
    if policy.breaker is not None:
        BreakerMetrics.register(app.state.registry, [policy.breaker])
    app.state.policy_client = policy
    # Asked as the user who configures a chat channel: is the space restricted?
    app.state.publishing_client = PublishingClient(
        settings.publishing_url,
        token=app.state.identity.service_token,
        timeout=settings.http_timeout_seconds,
        transport=publishing_transport,
    )
    answers = CachedPolicy(
        policy,
        ttl_seconds=settings.policy_cache_seconds,
        revision_check_seconds=settings.policy_revision_check_seconds,
    )
    app.state.reach = Reach(policy, answers)
    app.state.book = book_of(settings)
    app.state.jobs = jobs_of(settings, engine, app.state.reach, app.state.book)
    workers = WorkerGroup()
    if settings.worker_enabled:
        workers.add(
            Worker("notifications", app.state.jobs.tick, interval=settings.worker_interval_seconds)
        )
    workers.register_metrics(app.state.registry)
    app.state.workers = workers
    app.state.bus = bus_of(
        settings, engine, app.state.reach, app.state.book, BusMetrics.register(app.state.registry)
    )
    return app


def bus_of(
    settings: NotificationsSettings,
    engine: Engine,
    reach: Reach,
    book: PreferenceBook,
    metrics: BusMetrics | None = None,
) -> BusConsumer | None:
    """The JetStream consumer, when a NATS server is configured."""
    if not settings.nats_url:
        return None
    return BusConsumer(
        settings.nats_url,
        durable=settings.nats_durable,
        engine=engine,
        reach=reach,
        book=book,
        portal_url=settings.portal_url,
        metrics=metrics,
        credentials=NatsCredentials.of(settings),
    )


def book_of(settings: NotificationsSettings) -> PreferenceBook:
    return PreferenceBook(
        mail_domain=settings.default_mail_domain,
        unsubscribe_secret=settings.unsubscribe_secret.get_secret_value().encode(),
    )


def jobs_of(
    settings: NotificationsSettings, engine: Engine, reach: Reach, book: PreferenceBook
) -> Jobs:
    config = SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        timeout=settings.smtp_timeout_seconds,
    )
    return Jobs(
        engine=engine,
        settings=settings,
        reach=reach,
        book=book,
        renderer=Renderer(
            book=book, portal_url=settings.portal_url, public_url=settings.public_url
        ),
        # Redirects are not followed: a webhook answers where it was registered.
        webhook_client=httpx.Client(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        ),
        sender=SmtpSender(
            config,
            attempts=settings.smtp_attempts_per_pass,
            backoff=settings.smtp_backoff_seconds,
            connections=settings.smtp_connections,
        ),
    )


def _lifespan(
    settings: NotificationsSettings, engine: Engine
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sink = None
        if settings.dev_mailbox:
            sink = SmtpSink(
                Path(settings.smtp_sink_dir), host=settings.smtp_host, port=settings.smtp_port
            )
            sink.start()
        workers: WorkerGroup = app.state.workers
        workers.start()
        if app.state.bus is not None:
            app.state.bus.start()
        try:
            yield
        finally:
            if app.state.bus is not None:
                await to_thread.run_sync(app.state.bus.stop)
            await to_thread.run_sync(workers.stop)
            if sink is not None:
                sink.stop()
            app.state.policy_client.close()
            app.state.jobs.webhook_client.close()
            app.state.publishing_client.close()
            engine.dispose()

    return lifespan
