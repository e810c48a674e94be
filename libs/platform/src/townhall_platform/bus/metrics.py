"""Prometheus metrics of the bus's consumers, labelled by durable consumer name."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter


@dataclass(frozen=True)
class BusMetrics:
    handled: Counter
    retried: Counter
    dead_letters: Counter

    @classmethod
    def register(cls, registry: CollectorRegistry) -> BusMetrics:
        """Create the consumers' metrics in `registry` (once per registry)."""
        return cls(
            handled=Counter(
                "townhall_bus_handled",
                "Bus messages a consumer handled and acknowledged",
                ["consumer"],
                registry=registry,
            ),
            retried=Counter(
                "townhall_bus_retried",
                "Bus messages a consumer failed to handle and asked again later",
                ["consumer"],
                registry=registry,
            ),
            dead_letters=Counter(
                "townhall_bus_dead_letters",
                "Bus messages a consumer gave up on and moved to the dead-letter subject",
                ["consumer"],
                registry=registry,
            ),
        )
