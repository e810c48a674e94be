"""Dependency aliases of the search service's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .index import IndexBackend
from .queries.cursor import CursorCodec
from .queries.principals import PrincipalsCache
from .settings import SearchSettings


def _settings(request: Request) -> SearchSettings:
    settings: SearchSettings = request.app.state.settings
    return settings


def _index(request: Request) -> IndexBackend:
    index: IndexBackend = request.app.state.index
    return index


def _principals(request: Request) -> PrincipalsCache:
    cache: PrincipalsCache = request.app.state.principals
    return cache


def _cursors(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.cursors
    return codec


SettingsDep = Annotated[SearchSettings, Depends(_settings)]
IndexDep = Annotated[IndexBackend, Depends(_index)]
PrincipalsDep = Annotated[PrincipalsCache, Depends(_principals)]
CursorsDep = Annotated[CursorCodec, Depends(_cursors)]
