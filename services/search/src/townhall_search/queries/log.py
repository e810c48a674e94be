"""The search log: each first page of a non-empty query is reported to publishing (the
words and how many results, never who searched), and so is the opening of a result.

Reports go after the answer, in the background, and a failed one is logged and dropped:
the indicator is a statistic, and a search must never wait on or fail for it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import Depends, Request

from townhall_clients import PublishingClient
from townhall_contracts.publishing.searches import SearchRecorded
from townhall_platform.errors import TownhallError

log = structlog.get_logger(__name__)

SEARCH_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class SearchLog:
    """Reports searches and opened results to publishing through `client`."""

    def __init__(self, client: PublishingClient | None) -> None:
        # None: the log is off (`TOWNHALL_SEARCH_RECORD_QUERIES=false`).
        self._client = client

    @property
    def enabled(self) -> bool:
        return self._client is not None

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(16)

    def searched(self, search_id: str, query: str, results: int) -> Callable[[], None]:
        """The report of one search, to run after the answer."""
        event = SearchRecorded(
            search_id=search_id, query=query[:1000], results=results, at=datetime.now(UTC)
        )
        return lambda: self._send("search", lambda c: c.record_search(event))

    def opened(self, search_id: str) -> Callable[[], None]:
        return lambda: self._send("open", lambda c: c.record_search_opened(search_id))

    def _send(self, what: str, call: Callable[[PublishingClient], None]) -> None:
        if self._client is None:
            return
        try:
            call(self._client)
        except TownhallError as failed:
            log.warning("search_log_dropped", what=what, reason=str(failed))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def _search_log(request: Request) -> SearchLog:
    found: SearchLog = request.app.state.search_log
    return found


SearchLogDep = Annotated[SearchLog, Depends(_search_log)]
