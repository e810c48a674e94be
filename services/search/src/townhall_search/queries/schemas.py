"""Answers of the search endpoints that are not part of the shared contract."""

from __future__ import annotations

from pydantic import BaseModel


class SuggestionRead(BaseModel):
    """A readable document whose title completes the typed text."""

    id: str
    title: str
    space_id: str
    kind: str


class Suggestions(BaseModel):
    suggestions: list[SuggestionRead]
