"""Dependency aliases of the search endpoints' own parts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .cursor import CursorCodec


def _cursors(request: Request) -> CursorCodec:
    codec: CursorCodec = request.app.state.cursors
    return codec


CursorsDep = Annotated[CursorCodec, Depends(_cursors)]
