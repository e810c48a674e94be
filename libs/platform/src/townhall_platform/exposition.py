"""What `/metrics` answers: one process's metrics, or, under several uvicorn workers, the
counters and histograms of all of them summed.

With `PROMETHEUS_MULTIPROC_DIR` set (before the processes start), prometheus_client keeps
every counter and histogram in a file per process there, and a scrape, answered by any one
worker, reads them all. Gauges and the collectors computed at scrape time (workers,
breakers) stay the answering process's own: a sum of them would mean nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
SUMMED_TYPES = frozenset({"counter", "histogram"})


def multiprocess_dir() -> Path | None:
    directory = os.environ.get(MULTIPROC_VARIABLE)
    return Path(directory) if directory else None


def prepare_multiprocess_dir() -> None:
    """Empty the directory before the workers start: the files of an earlier run would
    be added to this one's counts."""
    directory = multiprocess_dir()
    if directory is None:
        return
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


class _AllWorkers(Collector):
    def __init__(self, registry: CollectorRegistry, directory: Path) -> None:
        self.registry = registry
        self.directory = directory

    def collect(self) -> Iterator[Metric]:
        # prometheus_client's multiprocess module has no type hints.
        files = MultiProcessCollector(None, path=str(self.directory))  # type: ignore[no-untyped-call]
        summed = [m for m in files.collect() if m.type in SUMMED_TYPES]  # type: ignore[no-untyped-call]
        names = {m.name for m in summed}
        yield from summed
        yield from (m for m in self.registry.collect() if m.name not in names)


def exposition(registry: CollectorRegistry) -> bytes:
    """The text exposition of `registry`, merged across processes in multiprocess mode."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(registry)
    merged = CollectorRegistry(auto_describe=False)
    merged.register(_AllWorkers(registry, directory))
    return generate_latest(merged)
