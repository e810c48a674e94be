"""Search queries for the search-success indicator: kept without who searched, read as
aggregates only, dropped after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action
from townhall_contracts.publishing.searches import MissedQuery, SearchRecorded, SearchSuccess

from ..policy_gate import PolicyGate
from .errors import SearchNotFound
from .models import SearchQuery
from .repository import SearchQueryRepository

MAX_MISSED = 50
MAX_QUERY_CHARS = 200


def normalized(query: str) -> str:
    """The query as counted: lower case, one space between words, at most 200 characters."""
    return " ".join(query.lower().split())[:MAX_QUERY_CHARS]


def record(*, session: Session, event: SearchRecorded) -> None:
    """Keep one search; the same search reported twice is kept once."""
    repository = SearchQueryRepository(session)
    if repository.get(event.search_id) is not None:
        return
    text = normalized(event.query)
    if text:
        repository.add(
            SearchQuery(id=event.search_id, query=text, results=event.results, at=event.at)
        )


def opened(*, session: Session, search_id: str, now: datetime) -> None:
    """Note that a result of the search was opened (the first time only)."""
    query = SearchQueryRepository(session).get(search_id)
    if query is None:
        raise SearchNotFound(f"No search '{search_id}' (or it is past its retention).")
    if query.opened_at is None:
        query.opened_at = now
        session.add(query)


def success(
    *,
    session: Session,
    gate: PolicyGate,
    subject: str,
    since: datetime,
    until: datetime,
    floor: int,
) -> SearchSuccess:
    """The share of searches followed by opening a result, and the queries that found
    nothing; for those who may read the company's indicators."""
    gate.require_any(
        subject=subject,
        candidates=[(Action.PUBLISH_OFFICIAL, ORG_DOMAIN), (Action.AUDIT_READ, ORG_DOMAIN)],
    )
    repository = SearchQueryRepository(session)
    searches, opened_count = repository.counts(since, until)
    # The settings keep the floor at 5 or more.
    at_least = floor
    missed = repository.missed(since, until, at_least=at_least, limit=MAX_MISSED)
    return SearchSuccess(
        since=since,
        until=until,
        searches=searches,
        opened=opened_count,
        success=opened_count / searches if searches >= at_least else None,
        missed=[MissedQuery(query=q, searches=n) for q, n in missed],
        missed_floor=at_least,
    )


def drop_expired(*, session: Session, now: datetime, retention_days: int) -> int:
    """Drop the searches older than the retention period; how many."""
    return SearchQueryRepository(session).drop_before(now - timedelta(days=retention_days))
