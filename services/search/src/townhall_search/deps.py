"""Dependency aliases of the search service's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from townhall_clients import CachedPolicy

from .index import IndexBackend
from .settings import SearchSettings


def _settings(request: Request) -> SearchSettings:
    settings: SearchSettings = request.app.state.settings
    return settings


def _index(request: Request) -> IndexBackend:
    index: IndexBackend = request.app.state.index
    return index


def _policy(request: Request) -> CachedPolicy:
    policy: CachedPolicy = request.app.state.policy_answers
    return policy


SettingsDep = Annotated[SearchSettings, Depends(_settings)]
IndexDep = Annotated[IndexBackend, Depends(_index)]
# Policy's answers (the caller's principals), cached under one rule (`townhall_clients`).
PolicyDep = Annotated[CachedPolicy, Depends(_policy)]
