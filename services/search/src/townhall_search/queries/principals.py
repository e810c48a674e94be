"""The caller's principals, from policy, cached but never older than policy's revision.

Policy is the only authority on who may read what; the cache only spares it a call
per search. An entry is trusted only while both hold:
- it was answered at the latest policy revision search knows of; the revision is
  asked of policy at most every `revision_check_seconds` (a quarter of a second by
  default), and any answer carrying a newer revision raises it at once;
- it is younger than `ttl_seconds` (at most a second), a backstop.
So a revoked member stops seeing a restricted space within the revision check
interval. When policy cannot be reached the client raises `ServiceUnavailable` and
the search fails closed (503). A subject policy does not know (404) or reports
inactive reads nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from townhall_clients import UnexpectedResponse
from townhall_contracts.policy import Principals

_MAX_ENTRIES = 10_000


class PrincipalsSource(Protocol):
    def principals(self, subject: str) -> Principals: ...

    def revision(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    revision: int
    tokens: frozenset[str]


class PrincipalsCache:
    """Per-subject principals, trusted for `ttl_seconds` and the current policy revision."""

    def __init__(
        self,
        source: PrincipalsSource,
        *,
        ttl_seconds: float,
        revision_check_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._ttl = ttl_seconds
        self._revision_check = revision_check_seconds
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._revision = 0
        self._revision_checked = float("-inf")
        self._lock = threading.Lock()

    @property
    def revision(self) -> int:
        """The newest policy revision seen."""
        return self._revision

    def readable_by(self, subject: str) -> frozenset[str]:
        """The principal tokens `subject` reads with; empty for an inactive subject."""
        now = self._clock()
        revision = self._current_revision(now)
        with self._lock:
            entry = self._entries.get(subject)
        if entry is not None and entry.expires > now and entry.revision >= revision:
            return entry.tokens
        answered_at, tokens = self._ask(subject)
        self._raise_revision(answered_at)
        if self._ttl > 0:
            with self._lock:
                if len(self._entries) >= _MAX_ENTRIES:
                    self._evict(now)
                self._entries[subject] = _Entry(now + self._ttl, answered_at, tokens)
        return tokens

    def _current_revision(self, now: float) -> int:
        if self._ttl <= 0 or now - self._revision_checked < self._revision_check:
            return self._revision
        revision = self._source.revision()
        with self._lock:
            self._revision_checked = now
        self._raise_revision(revision)
        return self._revision

    def _raise_revision(self, revision: int) -> None:
        with self._lock:
            if revision > self._revision:
                self._revision = revision

    def _ask(self, subject: str) -> tuple[int, frozenset[str]]:
        try:
            answer = self._source.principals(subject)
        except UnexpectedResponse as exc:
            if exc.status_code == 404:
                return self._revision, frozenset()
            raise
        tokens = frozenset(answer.principals) if answer.active else frozenset()
        return answer.policy_revision, tokens

    def _evict(self, now: float) -> None:
        expired = [subject for subject, entry in self._entries.items() if entry.expires <= now]
        for subject in expired:
            del self._entries[subject]
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
