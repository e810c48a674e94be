"""A circuit breaker: once a service has failed several times in a row, refuse at once.

While a dependency is down or frozen every call to it would wait for its deadline, hold
a worker thread and answer 503 anyway. After `failure_threshold` consecutive failures
(no answer in time, a transport error, a 5xx) the breaker opens: calls are refused with
`ServiceUnavailable` without touching the network. After `reset_seconds` one call is let
through as a probe (half-open); its success closes the breaker, its failure opens it
again for another `reset_seconds`. Every other call is refused while the probe runs.

The lock guards only the state transitions, never a network call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from enum import IntEnum

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from .errors import ServiceUnavailable


class BreakerState(IntEnum):
    """The breaker's state, as its metric reports it."""

    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


class CircuitBreaker:
    """Consecutive-failure breaker of one dependency, shared by the threads calling it."""

    def __init__(
        self,
        service: str,
        *,
        failure_threshold: int = 5,
        reset_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self._threshold = failure_threshold
        self._reset = reset_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = float("-inf")
        self._probing = False
        self.refusals = 0

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker due for a probe still reads open)."""
        return self._state

    def refuse_if_open(self) -> None:
        """Raise `ServiceUnavailable` when a call now would be refused; reserve nothing.

        For callers that would otherwise take a lock or start work before the call.
        """
        with self._lock:
            if self._would_refuse():
                self._refuse()

    def before_call(self) -> None:
        """Admit one call, or raise `ServiceUnavailable`; an admitted call must report back."""
        with self._lock:
            if self._would_refuse():
                self._refuse()
            if self._state is not BreakerState.CLOSED:
                # The cool-down is over: this call is the one probe.
                self._state = BreakerState.HALF_OPEN
                self._probing = True

    def release(self) -> None:
        """An admitted call ended without telling whether the dependency works."""
        with self._lock:
            self._probing = False

    def record_success(self) -> None:
        """The dependency answered (any answer below 500): close the breaker."""
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._probing = False

    def record_failure(self) -> None:
        """The dependency did not answer in time, or answered 5xx."""
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._probing = False

    def _would_refuse(self) -> bool:
        if self._state is BreakerState.CLOSED:
            return False
        if self._state is BreakerState.HALF_OPEN:
            return self._probing
        return self._clock() - self._opened_at < self._reset

    def _refuse(self) -> None:
        self.refusals += 1
        raise ServiceUnavailable(
            f"{self.service} is unavailable (circuit open after repeated failures)",
            service=self.service,
        )


class BreakerMetrics(Collector):
    """Exposes breakers' states and refusal counts, read at scrape time."""

    def __init__(self, breakers: Iterable[CircuitBreaker]) -> None:
        # Kept as given (not copied): a service may add its breakers after registering.
        self._breakers = breakers

    @classmethod
    def register(
        cls, registry: CollectorRegistry, breakers: Iterable[CircuitBreaker]
    ) -> BreakerMetrics:
        metrics = cls(breakers)
        registry.register(metrics)
        return metrics

    def collect(self) -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "townhall_dependency_breaker_state",
            "Circuit breaker of a dependency: 0 closed, 1 open, 2 half-open",
            labels=["dependency"],
        )
        refusals = CounterMetricFamily(
            "townhall_dependency_refusals",
            "Calls refused by an open circuit breaker without touching the network",
            labels=["dependency"],
        )
        for breaker in self._breakers:
            state.add_metric([breaker.service], float(breaker.state))
            refusals.add_metric([breaker.service], float(breaker.refusals))
        yield state
        yield refusals
