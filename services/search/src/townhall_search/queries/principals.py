"""The caller's principals, from policy, cached per subject for a short time.

Policy is the only authority on who may read what; the cache only spares it a
call per search. Its lifetime is bounded (at most a second by default) so that a
revoked member stops seeing a restricted space quickly. When policy cannot be
reached the client raises `ServiceUnavailable` and the search fails closed (503).
A subject policy does not know (404) or reports inactive reads nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from townhall_clients import UnexpectedResponse
from townhall_contracts.policy import Principals

_MAX_ENTRIES = 10_000


class PrincipalsSource(Protocol):
    def principals(self, subject: str) -> Principals: ...


class PrincipalsCache:
    """Per-subject principals, trusted for `ttl_seconds`."""

    def __init__(
        self,
        source: PrincipalsSource,
        *,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def readable_by(self, subject: str) -> frozenset[str]:
        """The principal tokens `subject` reads with; empty for an inactive subject."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(subject)
        if entry is not None and entry[0] > now:
            return entry[1]
        tokens = self._ask(subject)
        if self._ttl > 0:
            with self._lock:
                if len(self._entries) >= _MAX_ENTRIES:
                    self._evict(now)
                self._entries[subject] = (now + self._ttl, tokens)
        return tokens

    def _ask(self, subject: str) -> frozenset[str]:
        try:
            answer = self._source.principals(subject)
        except UnexpectedResponse as exc:
            if exc.status_code == 404:
                return frozenset()
            raise
        return frozenset(answer.principals) if answer.active else frozenset()

    def _evict(self, now: float) -> None:
        expired = [subject for subject, (until, _) in self._entries.items() if until <= now]
        for subject in expired:
            del self._entries[subject]
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
