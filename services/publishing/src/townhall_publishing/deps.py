"""Dependency aliases the routers take: the request's session, policy, settings."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import anyio
from anyio import to_thread
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlmodel import Session

from townhall_platform.db import session_scope

from .database import WriteSession
from .policy_gate import PolicyGate
from .settings import PublishingSettings

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


class Writers:
    """How a process's write requests take their turn.

    On SQLite they go one at a time, waiting here without holding a worker thread, so
    reads still find threads during a burst of writes. A session that its endpoint did
    not commit (`UnitOfWorkRoute`) is closed on a thread of a pool of its own, apart from
    the endpoints', so that it never waits behind them.
    """

    def __init__(self, *, serial: bool, commit_threads: int = 40) -> None:
        self._turn = anyio.Lock() if serial else None
        self.commit_threads = anyio.CapacityLimiter(commit_threads)

    async def __aenter__(self) -> None:
        if self._turn is not None:
            await self._turn.acquire()

    async def __aexit__(self, *_: object) -> None:
        if self._turn is not None:
            self._turn.release()


async def _session(request: Request) -> AsyncIterator[Session]:
    """The request's session. A write request's is committed by its endpoint's thread as
    the endpoint returns (`UnitOfWorkRoute`); here only if the endpoint never ran."""
    engine = request.app.state.engine
    if request.method in _READS:
        with session_scope(engine) as session:
            yield session
        return
    writers: Writers = request.app.state.writers
    async with writers:
        session = WriteSession(engine)
        try:
            yield session
        except BaseException:
            await _finish(session, False, writers)
            raise
        await _finish(session, True, writers)


async def _finish(session: Session, commit: bool, writers: Writers) -> None:
    """Commit or roll back off the event loop; a session its endpoint already closed (the
    usual case) holds no transaction, and closing it does no I/O: no thread-pool hop."""
    if not session.in_transaction():
        session.close()
        return
    await to_thread.run_sync(_close, session, commit, limiter=writers.commit_threads)


def _close(session: Session, commit: bool) -> None:
    try:
        if commit and session.in_transaction():
            session.commit()
    except BaseException:
        session.rollback()  # a failed commit leaves the driver's transaction open
        raise
    finally:
        session.close()


class UnitOfWorkRoute(APIRoute):
    """A route whose synchronous endpoint commits its write session in its own thread, as
    it returns.

    The response is then built from committed data (a failed commit answers 500, never a
    false 201), and no transaction stays open while FastAPI validates the answer on
    another worker thread: on PostgreSQL a writer holds the outbox lock until it commits,
    and writers waiting for it in every worker thread would leave none for that step.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the endpoint's own signature through it
    def run(*args: Any, **kwargs: Any) -> Any:
        sessions = [value for value in kwargs.values() if isinstance(value, WriteSession)]
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            for session in sessions:
                _close(session, False)
            raise
        for session in sessions:
            _close(session, True)
        return result

    return run


async def _policy_gate(request: Request) -> PolicyGate:
    # Async (it only reads app state): a sync dependency costs a trip to the thread pool.
    gate: PolicyGate = request.app.state.policy_gate
    return gate


async def _settings(request: Request) -> PublishingSettings:
    settings: PublishingSettings = request.app.state.settings
    return settings


# One session per request, committed when the endpoint returns and *before* the response
# is sent (scope="function").
SessionDep = Annotated[Session, Depends(_session, scope="function")]
PolicyGateDep = Annotated[PolicyGate, Depends(_policy_gate)]
SettingsDep = Annotated[PublishingSettings, Depends(_settings)]
