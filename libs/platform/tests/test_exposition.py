"""`/metrics` across several processes (PROMETHEUS_MULTIPROC_DIR): counters and histograms
summed over every process that wrote them, gauges the answering process's own.

Each process is a real interpreter started with the variable set, as uvicorn's workers are:
prometheus_client chooses where values live when it is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from townhall_platform.exposition import multiprocess_dir, prepare_multiprocess_dir

WORKER = """
import sys
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
registry = CollectorRegistry()
requests = Counter("demo_requests", "Requests", ["route"], registry=registry)
latency = Histogram("demo_seconds", "Latency", registry=registry, buckets=(0.1, 1))
level = Gauge("demo_level", "A gauge", registry=registry)
level.set_function(lambda: float(sys.argv[1]))
for _ in range(int(sys.argv[1])):
    requests.labels("/a").inc()
    latency.observe(0.5)
if sys.argv[2] == "scrape":
    from townhall_platform.exposition import exposition
    sys.stdout.write(exposition(registry).decode())
"""


def _run(directory: Path, count: int, action: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(count), action],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_counters_and_histograms_sum_over_processes_gauges_stay_local(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    prepare_multiprocess_dir()
    _run(tmp_path, 3, "count")
    _run(tmp_path, 4, "count")

    samples = _samples(_run(tmp_path, 5, "scrape"))

    assert samples[("demo_requests_total", (("route", "/a"),))] == 12
    assert samples[("demo_seconds_count", ())] == 12
    assert samples[("demo_seconds_bucket", (("le", "1.0"),))] == 12
    # The answering process's own value, not a sum, and no per-process copies of it.
    assert samples[("demo_level", ())] == 5
    assert not [key for key in samples if key[0] == "demo_level" and key[1]]


def test_a_new_run_starts_from_an_empty_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    prepare_multiprocess_dir()
    _run(tmp_path / "metrics", 3, "count")
    prepare_multiprocess_dir()

    samples = _samples(_run(tmp_path / "metrics", 1, "scrape"))

    assert samples[("demo_requests_total", (("route", "/a"),))] == 1


def test_without_the_variable_one_process_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert multiprocess_dir() is None
    prepare_multiprocess_dir()  # nothing to do, nothing done
