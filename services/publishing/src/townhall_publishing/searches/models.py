"""Search queries kept for the search-success indicator: never who searched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import PublishingModel


class SearchQuery(PublishingModel, table=True):
    """One search (its first page) as the search service reported it, and whether one
    of its results was opened. Dropped after the retention period."""

    __tablename__ = "search_queries"
    __table_args__ = (Index("ix_search_queries_at", "at"),)

    id: str = Field(primary_key=True, max_length=64)
    # Lower-cased, spaces collapsed: the same query typed twice counts as one.
    query: str = Field(max_length=200)
    results: int
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
