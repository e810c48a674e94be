"""Search queries as publishing keeps them for the search-success indicator: the words,
how many results, whether a result was opened; never who searched."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SearchRecorded(BaseModel):
    """What search tells publishing of one search (its first page): no user id."""

    model_config = ConfigDict(extra="forbid")

    search_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    query: str = Field(min_length=1, max_length=1000)
    results: int = Field(ge=0)
    at: datetime


class MissedQuery(BaseModel):
    """A query that found nothing, and how many searches asked it."""

    query: str
    searches: int


class SearchSuccess(BaseModel):
    """Searches over a period: how many, how many were followed by opening a result, and
    the queries that found nothing, most frequent first (only those asked at least as
    often as the privacy floor: a rarer query could say who typed it)."""

    since: datetime
    until: datetime
    searches: int
    opened: int
    success: float | None
    missed: list[MissedQuery]
    missed_floor: int
