"""Dependency aliases the routers take: the request's session, policy, settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from townhall_platform.db import session_scope

from .reach import Reach
from .settings import NotificationsSettings


def _session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine) as session:
        yield session


async def _reach(request: Request) -> Reach:
    reach: Reach = request.app.state.reach
    return reach


async def _settings(request: Request) -> NotificationsSettings:
    settings: NotificationsSettings = request.app.state.settings
    return settings


# Committed when the endpoint returns, before the response is sent.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
ReachDep = Annotated[Reach, Depends(_reach)]
SettingsDep = Annotated[NotificationsSettings, Depends(_settings)]
