"""Dependency aliases the routers take: the request's session, policy, settings."""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlmodel import Session

from townhall_platform.db import session_scope

from .database import WriterQueue, WriteSession
from .engagement.views import ViewRecorder
from .group_commit import GroupCommit
from .policy_gate import PolicyGate
from .posts.lifecycle import NewPost
from .settings import PublishingSettings
from .spaces.cache import SpaceFactsCache

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session(request: Request) -> AsyncIterator[Session]:
    """The request's session, committed once when the endpoint returns.

    Write requests queue on the app's writer queue without holding a worker thread
    (SQLite has a single writer; reads never wait) and get a `WriteSession`, which their
    endpoint's thread begins and commits (`UnitOfWorkRoute`).
    """
    engine = request.app.state.engine
    if request.method in _READS:
        with session_scope(engine) as session:
            yield session
        return
    queue: WriterQueue = request.app.state.writer_queue
    async with queue.turn():
        session = WriteSession(engine)
        try:
            yield session
        except BaseException:
            await _finish(queue, session, commit=False)
            raise
        # Only when the endpoint did not finish it: an endpoint that never ran (a later
        # dependency refused the request) or one not wrapped by `UnitOfWorkRoute`.
        await _finish(queue, session, commit=True)


async def _finish(queue: WriterQueue, session: WriteSession, *, commit: bool) -> None:
    if session.finished:
        return
    await to_thread.run_sync(
        functools.partial(session.finish, commit=commit), limiter=queue.session_threads
    )


async def _policy_gate(request: Request) -> PolicyGate:
    # Async (they only read app state): a sync dependency costs a trip to the thread pool.
    gate: PolicyGate = request.app.state.policy_gate
    return gate


@dataclass(frozen=True)
class Posting:
    """What creating a post takes of the app: the post writer, the remembered space
    facts and policy. One dependency for the three: FastAPI resolves each dependency
    anew on every request, on the busiest write there is."""

    writer: GroupCommit[NewPost]
    spaces: SpaceFactsCache
    gate: PolicyGate


async def _posting(request: Request) -> Posting:
    posting: Posting = request.app.state.posting
    return posting


async def _views(request: Request) -> ViewRecorder:
    views: ViewRecorder = request.app.state.views
    return views


async def _settings(request: Request) -> PublishingSettings:
    settings: PublishingSettings = request.app.state.settings
    return settings


class UnitOfWorkRoute(APIRoute):
    """A route whose synchronous endpoint runs its `WriteSession`'s whole transaction in
    its own thread: begun before the endpoint, committed as it returns, so the response
    (sent after) never announces a change that failed to commit."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_one_transaction(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _in_one_transaction(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the endpoint's own signature through it
    def run(*args: Any, **kwargs: Any) -> Any:
        sessions = [value for value in kwargs.values() if isinstance(value, WriteSession)]
        for session in sessions:
            session.begin_write()
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            for session in sessions:
                session.finish(commit=False)
            raise
        for session in sessions:
            session.finish(commit=True)
        return result

    return run


# One session per request, committed once when the endpoint returns and *before* the
# response is sent (scope="function"): a failed commit answers 500, never a false 201.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
PolicyGateDep = Annotated[PolicyGate, Depends(_policy_gate)]
ViewsDep = Annotated[ViewRecorder, Depends(_views)]
# Where new posts are written, in groups (`GroupCommit`).
PostingDep = Annotated[Posting, Depends(_posting)]
SettingsDep = Annotated[PublishingSettings, Depends(_settings)]
