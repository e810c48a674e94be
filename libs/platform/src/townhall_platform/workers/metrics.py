"""Workers' liveness and lag as Prometheus metrics, read at scrape time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .liveness import WorkerReport


class WorkerCollector(Collector):
    """Reads the workers' reports at each scrape."""

    def __init__(self, reports: Callable[[], Iterable[WorkerReport]]) -> None:
        self._reports = reports

    def collect(self) -> Iterator[Metric]:
        reports = list(self._reports())
        up = GaugeMetricFamily(
            "townhall_worker_up", "1 while the worker's thread runs", labels=["worker"]
        )
        last_success = GaugeMetricFamily(
            "townhall_worker_last_success_timestamp_seconds",
            "When the worker last completed a tick without error (epoch seconds)",
            labels=["worker"],
        )
        in_a_row = GaugeMetricFamily(
            "townhall_worker_consecutive_failures",
            "Ticks that failed in a row (0 after a success)",
            labels=["worker"],
        )
        failures = CounterMetricFamily(
            "townhall_worker_failures", "Ticks that failed, and thread deaths", labels=["worker"]
        )
        restarts = CounterMetricFamily(
            "townhall_worker_restarts", "Threads started again after dying", labels=["worker"]
        )
        lag = GaugeMetricFamily(
            "townhall_worker_lag_seconds",
            "Age of the oldest item the worker has yet to handle (0 when none waits)",
            labels=["worker"],
        )
        pending = GaugeMetricFamily(
            "townhall_worker_pending", "Items the worker has yet to handle", labels=["worker"]
        )
        for report in reports:
            labels = [report.name]
            up.add_metric(labels, 1.0 if report.alive else 0.0)
            if report.last_success is not None:
                last_success.add_metric(labels, report.last_success)
            in_a_row.add_metric(labels, report.consecutive_failures)
            failures.add_metric(labels, report.failures)
            restarts.add_metric(labels, report.restarts)
            if report.lag_seconds is not None:
                lag.add_metric(labels, report.lag_seconds)
            if report.pending is not None:
                pending.add_metric(labels, report.pending)
        yield from (up, last_success, in_a_row, failures, restarts, lag, pending)

    def describe(self) -> Iterator[Metric]:
        return iter(())
