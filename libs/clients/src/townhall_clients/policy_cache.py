"""Policy's answers (decisions, principals), cached but never older than policy's revision.

Policy is the only authority; the cache only spares it a call per request. Publishing
asks it before every write, search for the principals of every query: both use this
one cache, so "how stale can an answer be" has one answer.

The rule: an answer is reused only while all three hold.

1. Revision. It was given at the revision the cache holds as current. That revision
   is confirmed with policy once `revision_check_seconds` have passed since the last
   confirmation (at exactly the interval, it is asked again). An answer carrying a
   newer revision raises it at once and drops every older entry; an answer carrying
   an older one is used once but not kept.
2. Validity boundary. Policy's next validity boundary (a grant starting or ending,
   which changes answers without a new revision) has not been reached: from that
   instant on (`now >= boundary`), every entry is dropped and the revision asked
   again.
3. Age. It is younger than `ttl_seconds` (at exactly the TTL it has expired), a
   backstop.

So a revoked grant stops counting within twice the check interval: while one
request confirms the revision, the others keep the confirmed one for at most twice
the interval, so a burst does not become a burst of checks. When the revision is
due and policy cannot be reached, `ServiceUnavailable` is raised: the caller fails
closed (503). With `ttl_seconds` 0 nothing is cached and policy is asked every time.

Refusing is cheap: while the client's circuit breaker is open a due check is refused
before any lock is taken, and the requests that waited for a check that failed share
its failure instead of each asking policy again in turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from townhall_contracts.policy import (
    Action,
    Audience,
    Decision,
    DecisionBatch,
    DecisionRequest,
    Principals,
)

from .errors import ServiceUnavailable, UnexpectedResponse
from .policy import PolicyClient

# Beyond this many entries the expired ones go, then all if none had expired.
MAX_ENTRIES = 50_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    revision: int
    value: object


class CachedPolicy:
    """Decisions and principals from `client`, reused under the module's rule."""

    def __init__(
        self,
        client: PolicyClient,
        *,
        ttl_seconds: float = 1.0,
        revision_check_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        # How long a request waits for another's revision check before refusing.
        self._wait = 2 * (client.deadline or client.timeout)
        self._ttl = ttl_seconds
        self._check = revision_check_seconds
        self._clock = clock
        self._wall = wall_clock
        self._entries: dict[Hashable, _Entry] = {}
        self._revision = 0
        self._boundary: datetime | None = None
        self._checked = float("-inf")
        self._check_failed = float("-inf")
        self._lock = threading.Lock()
        self._checking = threading.Lock()

    @property
    def revision(self) -> int:
        """The newest policy revision confirmed or seen."""
        return self._revision

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    def decide(self, subject: str, action: Action, domain: str) -> Decision:
        """Policy's decision, from the cache while the rule allows."""
        key = ("decision", subject, action.value, domain)
        found = self._lookup(key, Decision)
        if found is not None:
            return found
        decision = self._client.decide(subject, action, domain)
        self._store(key, decision.policy_revision, decision)
        return decision

    def decide_batch(self, requests: list[DecisionRequest]) -> DecisionBatch:
        """Several decisions at one revision: all from the cache, or all asked at once."""
        keys = [("decision", r.subject, r.action.value, r.domain) for r in requests]
        cached = [self._lookup(key, Decision) for key in keys]
        hits = [d for d in cached if d is not None]
        if len(hits) == len(keys) and len({d.policy_revision for d in hits}) <= 1:
            return DecisionBatch(policy_revision=self._revision, decisions=hits)
        batch = self._client.decide_batch(requests)
        for key, decision in zip(keys, batch.decisions, strict=True):
            self._store(key, decision.policy_revision, decision)
        return batch

    def principals(self, subject: str) -> Principals:
        """A subject's principals (`UnexpectedResponse` 404 for an unknown subject: not cached)."""
        key = ("principals", subject)
        found = self._lookup(key, Principals)
        if found is not None:
            return found
        answer = self._client.principals(subject)
        self._store(key, answer.policy_revision, answer)
        return answer

    def audience(self, principals: list[str]) -> Audience:
        """The active users holding any of `principals` (a dashboard asks the same large
        audiences on every request: tens of thousands of ids for the whole company)."""
        key = ("audience", *sorted(principals))
        found = self._lookup(key, Audience)
        if found is not None:
            return found
        answer = self._client.audience(principals)
        self._store(key, answer.policy_revision, answer)
        return answer

    def readable_by(self, subject: str) -> frozenset[str]:
        """The principal tokens `subject` reads with (the readers rule's side of a
        subject); none for a subject policy does not know (404) or reports inactive."""
        try:
            answer = self.principals(subject)
        except UnexpectedResponse as exc:
            # A valid token for a subject outside the directory reads nothing.
            if exc.status_code == 404:
                return frozenset()
            raise
        return frozenset(answer.principals) if answer.active else frozenset()

    def _lookup(self, key: Hashable, kind: type[T]) -> T | None:
        if self._ttl <= 0:
            return None
        now = self._clock()
        revision = self._current_revision(now)
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or now >= entry.expires or entry.revision != revision:
            return None
        value = entry.value
        return value if isinstance(value, kind) else None

    def _store(self, key: Hashable, revision: int, value: object) -> None:
        if self._ttl <= 0:
            return
        now = self._clock()
        with self._lock:
            if revision > self._revision:
                # A newer policy: everything cached before it is stale.
                self._revision = revision
                self._entries.clear()
            if revision < self._revision:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._evict(now)
            self._entries[key] = _Entry(now + self._ttl, revision, value)

    def _evict(self, now: float) -> None:
        expired = [key for key, entry in self._entries.items() if now >= entry.expires]
        for key in expired:
            del self._entries[key]
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()

    def _current_revision(self, now: float) -> int:
        boundary_passed = self._boundary_passed()
        if not boundary_passed and now - self._checked < self._check:
            return self._revision
        recent = not boundary_passed and now - self._checked < 2 * self._check
        if not recent:
            self._client.refuse_if_open()
        # One thread checks; the others keep the confirmed revision while it is recent.
        waited = False
        if not self._checking.acquire(blocking=False):
            if recent:
                return self._revision
            waited = True
            if not self._checking.acquire(timeout=self._wait):
                raise ServiceUnavailable("policy's revision check is too slow", service="policy")
        try:
            if not self._boundary_passed() and self._clock() - self._checked < self._check:
                # Another thread confirmed it while this one waited.
                return self._revision
            if waited and self._check_failed >= now:
                # The check this request waited for failed: share its answer.
                raise ServiceUnavailable("policy could not be reached", service="policy")
            self._confirm(now, boundary_passed)
            return self._revision
        finally:
            self._checking.release()

    def _boundary_passed(self) -> bool:
        return self._boundary is not None and self._wall() >= self._boundary

    def _confirm(self, now: float, boundary_passed: bool) -> None:
        """Ask policy's revision and boundary; drop every entry when either moved."""
        try:
            state = self._client.revision_state()
        except ServiceUnavailable:
            self._check_failed = self._clock()
            raise
        with self._lock:
            # A lagging policy instance may answer an older revision: keep the newest.
            moved = (
                state.policy_revision > self._revision
                or state.next_validity_boundary != self._boundary
            )
            if moved or boundary_passed:
                self._entries.clear()
            self._revision = max(self._revision, state.policy_revision)
            self._boundary = state.next_validity_boundary
            self._checked = now
