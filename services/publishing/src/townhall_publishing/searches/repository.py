"""All SQL of the kept search queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from .models import SearchQuery


class SearchQueryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, search_id: str) -> SearchQuery | None:
        return self._session.get(SearchQuery, search_id)

    def add(self, query: SearchQuery) -> None:
        self._session.add(query)

    def counts(self, since: datetime, until: datetime) -> tuple[int, int]:
        """(searches, searches followed by opening a result) made in [since, until)."""
        statement = sa_select(func.count(), func.count(col(SearchQuery.opened_at))).where(
            col(SearchQuery.at) >= since, col(SearchQuery.at) < until
        )
        searches, opened = self._session.connection().execute(statement).one()
        return int(searches), int(opened)

    def missed(
        self, since: datetime, until: datetime, *, at_least: int, limit: int
    ) -> list[tuple[str, int]]:
        """The queries without results in [since, until) asked at least `at_least` times,
        most frequent first."""
        asked = func.count().label("asked")
        statement = (
            sa_select(col(SearchQuery.query), asked)
            .where(
                col(SearchQuery.at) >= since,
                col(SearchQuery.at) < until,
                col(SearchQuery.results) == 0,
            )
            .group_by(col(SearchQuery.query))
            .having(func.count() >= at_least)
            .order_by(asked.desc(), col(SearchQuery.query))
            .limit(limit)
        )
        return [(q, int(n)) for q, n in self._session.connection().execute(statement)]

    def drop_before(self, cutoff: datetime) -> int:
        statement = delete(SearchQuery).where(col(SearchQuery.at) < cutoff)
        return int(self._session.connection().execute(statement).rowcount or 0)
