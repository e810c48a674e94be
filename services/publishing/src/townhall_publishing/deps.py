"""Dependency aliases the routers take: the request's session, policy, settings."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from sqlmodel import Session

from townhall_platform.db import session_scope

from .database import WriterQueue, close_write_session, open_write_session
from .engagement.views import ViewRecorder
from .policy_gate import PolicyGate
from .settings import PublishingSettings

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session(request: Request) -> AsyncIterator[Session]:
    """The request's session, committed once when the endpoint returns.

    Write requests queue on the app's writer queue without holding a worker thread, then
    open an immediate transaction (SQLite has a single writer); reads never wait.
    """
    engine = request.app.state.engine
    if request.method in _READS:
        with session_scope(engine) as session:
            yield session
        return
    queue: WriterQueue = request.app.state.writer_queue
    async with queue.turn():
        threads = queue.session_threads
        session = await to_thread.run_sync(open_write_session, engine, limiter=threads)
        try:
            yield session
        except BaseException:
            await to_thread.run_sync(
                functools.partial(close_write_session, engine, session, commit=False),
                limiter=threads,
            )
            raise
        await to_thread.run_sync(
            functools.partial(close_write_session, engine, session, commit=True),
            limiter=threads,
        )


async def _policy_gate(request: Request) -> PolicyGate:
    # Async (they only read app state): a sync dependency costs a trip to the thread pool.
    gate: PolicyGate = request.app.state.policy_gate
    return gate


async def _views(request: Request) -> ViewRecorder:
    views: ViewRecorder = request.app.state.views
    return views


async def _settings(request: Request) -> PublishingSettings:
    settings: PublishingSettings = request.app.state.settings
    return settings


# One session per request, committed once when the endpoint returns and *before* the
# response is sent (scope="function"): a failed commit answers 500, never a false 201.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
PolicyGateDep = Annotated[PolicyGate, Depends(_policy_gate)]
ViewsDep = Annotated[ViewRecorder, Depends(_views)]
SettingsDep = Annotated[PublishingSettings, Depends(_settings)]
