"""Prometheus metrics of the outbox relay, registered in the app's registry."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class RelayMetrics:
    delivered: Counter
    failures: Counter
    pending: Gauge
    lag_seconds: Gauge
    last_delivered_event_id: Gauge

    @classmethod
    def register(cls, registry: CollectorRegistry) -> RelayMetrics:
        """Create the relay's metrics in `registry`."""
        return cls(
            delivered=Counter(
                "townhall_publishing_outbox_delivered",
                "Outbox events stored by NATS JetStream",
                registry=registry,
            ),
            failures=Counter(
                "townhall_publishing_outbox_delivery_failures",
                "Outbox publishing attempts that failed (the events were kept)",
                registry=registry,
            ),
            pending=Gauge(
                "townhall_publishing_outbox_pending_events",
                "Outbox events not yet published to NATS JetStream",
                registry=registry,
            ),
            lag_seconds=Gauge(
                "townhall_publishing_outbox_lag_seconds",
                "Age of the oldest undelivered outbox event (0 when none waits)",
                registry=registry,
            ),
            last_delivered_event_id=Gauge(
                "townhall_publishing_outbox_last_delivered_event_id",
                "Id of the last outbox event NATS JetStream stored",
                registry=registry,
            ),
        )
