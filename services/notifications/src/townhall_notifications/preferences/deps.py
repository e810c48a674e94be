"""The preference book routers take (it lives on the app's state)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .service import PreferenceBook


async def _book(request: Request) -> PreferenceBook:
    book: PreferenceBook = request.app.state.book
    return book


BookDep = Annotated[PreferenceBook, Depends(_book)]
