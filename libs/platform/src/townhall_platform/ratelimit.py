"""Rate limits per user and per client address on writes, searches and type-ahead.

Counters live in Redis when `redis_url` is set, so every instance of a service counts
against the same budget; the embedded default counts in the process. When Redis does not
answer, each instance falls back to its own in-process counters (a caller then gets at most
the number of instances times the rate) and tries Redis again after a pause. Not failing
open: a script copying the directory or flooding writes would be unlimited exactly while
Redis is out. Not failing closed: Redis is not worth refusing every write and search for.

Requests carrying a service token are not limited (services' own traffic is bounded by
their relays and batches); a user is known by a verified token only, so a forged token
cannot spend another person's budget. The per-address limit counts requests without a valid
user token: behind the portal and the load balancers many users share one address, and a
user is better known by their token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth import Caller, bearer_token
from .errors import TooManyRequests, Unauthenticated, problem_response

log = structlog.get_logger("townhall.ratelimit")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class RateLimitRules:
    """Requests per minute for each category, per user and per client address."""

    writes_per_user: int
    searches_per_user: int
    typeahead_per_user: int
    per_address: int
    # Paths of the reads that count as searches (exact) and as type-ahead (prefixes).
    search_paths: tuple[str, ...] = ()
    typeahead_paths: tuple[str, ...] = ()

    def category(self, method: str, path: str) -> str | None:
        """`write`, `search`, `typeahead`, or None for what is not limited."""
        if not path.startswith("/v1/"):
            return None
        if method in WRITE_METHODS:
            return "write"
        # Type-ahead first: its paths may sit under a search path (`/v1/search/suggestions`).
        if any(path.startswith(prefix) for prefix in self.typeahead_paths):
            return "typeahead"
        if path in self.search_paths:
            return "search"
        return None

    def per_user(self, category: str) -> RateLimitItem:
        amount = {
            "write": self.writes_per_user,
            "search": self.searches_per_user,
            "typeahead": self.typeahead_per_user,
        }[category]
        return RateLimitItemPerMinute(amount)

    def address_limit(self) -> RateLimitItem:
        return RateLimitItemPerMinute(self.per_address)


class SharedCounters:
    """A sliding-window counter in Redis, falling back to the process's own counters."""

    def __init__(
        self,
        namespace: str,
        redis_url: str | None,
        *,
        retry_seconds: float = 5.0,
        timeout_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._namespace = namespace
        self._local = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._shared: SlidingWindowCounterRateLimiter | None = None
        if redis_url:
            storage: Storage = RedisStorage(
                redis_url.replace("redis://", "async+redis://", 1),
                implementation="redispy",
                wrap_exceptions=True,
                key_prefix="townhall-ratelimit",
                socket_timeout=timeout_seconds,
                socket_connect_timeout=timeout_seconds,
            )
            self._shared = SlidingWindowCounterRateLimiter(storage)
        self._retry = retry_seconds
        self._clock = clock
        self._down_until = 0.0

    @property
    def shared(self) -> bool:
        """True while the counters in use are Redis's."""
        return self._shared is not None and self._clock() >= self._down_until

    async def hit(self, item: RateLimitItem, *identifiers: str) -> float:
        """Count one request: 0 when allowed, else the seconds until one would be."""
        keys = (self._namespace, *identifiers)
        if self.shared and self._shared is not None:
            try:
                return await self._hit(self._shared, item, keys)
            except StorageError as exc:
                self._down_until = self._clock() + self._retry
                log.warning("rate_limit_store_unavailable", error=str(exc), retry=self._retry)
        return await self._hit(self._local, item, keys)

    @staticmethod
    async def _hit(
        limiter: SlidingWindowCounterRateLimiter, item: RateLimitItem, keys: tuple[str, ...]
    ) -> float:
        if await limiter.hit(item, *keys):
            return 0.0
        stats = await limiter.get_window_stats(item, *keys)
        # At least a second (Retry-After is whole seconds), at most the one-minute window.
        return min(60.0, max(1.0, float(math.ceil(stats.reset_time - time.time()))))


class RateLimits:
    """ASGI middleware answering 429 problem+json with `Retry-After` over a limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        rules: RateLimitRules,
        counters: SharedCounters,
        verify: Callable[[str], Caller],
    ) -> None:
        self.app = app
        self.rules = rules
        self.counters = counters
        self.verify = verify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        category = (
            self.rules.category(scope["method"], scope["path"]) if scope["type"] == "http" else None
        )
        if category is None:
            await self.app(scope, receive, send)
            return
        caller = self._caller(scope)
        if caller is not None and caller.kind == "service":
            await self.app(scope, receive, send)
            return
        if caller is None:
            address = (scope.get("client") or ("unknown", 0))[0]
            limited_by = "address"
            wait = await self.counters.hit(self.rules.address_limit(), "address", address)
        else:
            limited_by = "user"
            item = self.rules.per_user(category)
            wait = await self.counters.hit(item, category, "user", caller.subject)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        refused = TooManyRequests(
            f"Too many {_NOUNS[category]} for this {limited_by}: try again in {wait:.0f} s.",
            retry_after_seconds=int(wait),
            limit=category,
            limited_by=limited_by,
        )
        response = problem_response(refused, Request(scope))
        response.headers["Retry-After"] = str(int(wait))
        await response(scope, receive, send)

    def _caller(self, scope: Scope) -> Caller | None:
        header = Headers(scope=scope).get("authorization")
        if not header:
            return None
        try:
            return self.verify(bearer_token(header))
        except Unauthenticated:
            return None


_NOUNS = {"write": "changes", "search": "searches", "typeahead": "type-ahead lookups"}
