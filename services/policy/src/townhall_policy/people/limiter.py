"""How often one caller may search the directory: a token bucket per caller.

A type-ahead asks once per pause in typing; a script walking every prefix to copy the
directory asks far more often, and is slowed to the refill rate. The buckets live in the
process (the embedded default); several instances each keep their own, which bounds a
caller at that many times the rate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Buckets of callers idle long enough to be full again are forgotten past this many.
_MAX_CALLERS = 10_000


class SearchLimiter:
    def __init__(
        self, *, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._burst = float(burst)
        self._rate = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, caller: str) -> float:
        """Take one search for `caller`: 0 when allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(caller, (self._burst, now))
            tokens = min(self._burst, tokens + (now - at) * self._rate)
            if tokens < 1:
                self._buckets[caller] = (tokens, now)
                return (1 - tokens) / self._rate
            self._buckets[caller] = (tokens - 1, now)
            if len(self._buckets) > _MAX_CALLERS:
                self._forget_full(now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        full_after = self._burst / self._rate
        for caller, (_, at) in list(self._buckets.items()):
            if now - at >= full_after:
                del self._buckets[caller]
