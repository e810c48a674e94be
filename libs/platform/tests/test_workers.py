"""The background-worker runner: errors in a tick, a failing log, a dying thread, reports.

Driven by explicit events: a test waits for the thing it expects to happen (a tick, a
restart), with a generous deadline that only bounds a hung test.
"""

from __future__ import annotations

import errno
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest

from townhall_platform.app import create_app
from townhall_platform.logs import (
    SurvivingPrintLogger,
    configure_logging,
    dropped_log_lines,
)
from townhall_platform.settings import ServiceSettings
from townhall_platform.workers import NotReady, RetryLater, Worker, WorkerGroup

# Bounds a hung test only; every wait below ends as soon as its event is set.
EVENTUALLY = 30.0


class Crash(BaseException):
    """Not an `Exception`: what a tick's error handling does not catch, so the thread ends."""


class FullDisk(io.StringIO):
    """A log file on a full disk: every write fails as a file-size limit makes it fail."""

    def write(self, text: str) -> int:
        raise OSError(errno.EFBIG, "File too large")


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def log_to_full_disk() -> Iterator[None]:
    """structlog's own PrintLogger on a file that cannot be written: logging raises."""
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(FullDisk()),
        cache_logger_on_first_use=False,
    )
    with pytest.raises(OSError):
        structlog.get_logger("probe").warning("this fails")
    yield
    structlog.reset_defaults()


def test_an_error_in_a_tick_is_counted_backed_off_and_forgotten_after_a_success() -> None:
    clock = Clock()
    outcomes: list[BaseException | None] = [ValueError("database gone"), ValueError("again"), None]

    def tick() -> float | None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return None

    worker = Worker("job", tick, interval=0.5, initial_backoff=1.0, max_backoff=3.0, clock=clock)
    assert worker.run_tick() == 1.0
    assert worker.run_tick() == 2.0
    failing = worker.report()
    assert failing.consecutive_failures == 2
    assert failing.failures == 2
    assert failing.last_success is None
    assert failing.last_error == "ValueError: again"

    assert worker.run_tick() == 0.5
    recovered = worker.report()
    assert recovered.consecutive_failures == 0
    assert recovered.failures == 2
    assert recovered.last_success == clock.now
    assert recovered.last_error is None
    assert worker.backoff(10) == 3.0


def test_a_tick_that_knows_when_to_retry_says_so() -> None:
    def tick() -> float | None:
        raise RetryLater("search is down", after=7.5)

    worker = Worker("relay", tick, interval=0.2)
    assert worker.run_tick() == 7.5
    assert worker.report().last_error == "RetryLater: search is down"


def test_a_worker_outlives_a_log_it_cannot_write(log_to_full_disk: None) -> None:
    """Each failure's log line raises (a full disk); the thread still ticks on."""
    calls = 0
    recovered = threading.Event()

    def tick() -> float | None:
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise RuntimeError(f"failure {calls}")
        recovered.set()
        return None

    worker = Worker("relay", tick, interval=3600, initial_backoff=0.0)
    worker.start()
    try:
        assert recovered.wait(EVENTUALLY), "the worker never ticked again after failing"
        assert worker.alive
        assert worker.report().failures == 3
    finally:
        worker.stop()


def test_a_thread_that_dies_is_restarted_by_the_group_and_reported(
    log_to_full_disk: None,
) -> None:
    ticks = 0
    ran_again = threading.Event()

    def tick() -> float | None:
        nonlocal ticks
        ticks += 1
        if ticks == 1:
            raise Crash("the thread ends here")
        if ticks == 3:
            # The second tick's success is on the books by now.
            ran_again.set()
        return 0.0 if ticks < 3 else None

    registry = CollectorRegistry()
    # The supervisor is woken by the dying thread, not by its (hour-long) poll.
    group = WorkerGroup(check_interval=3600)
    worker = group.add(Worker("scheduler", tick, interval=3600, initial_backoff=0.0))
    group.register_metrics(registry)
    group.start()
    try:
        assert ran_again.wait(EVENTUALLY), "the dead worker was not restarted"
        report = worker.report()
        assert report.restarts == 1
        assert report.alive
        assert report.last_error is None
        assert report.failures == 1
        metrics = generate_latest(registry).decode()
        assert 'townhall_worker_restarts_total{worker="scheduler"} 1.0' in metrics
        assert 'townhall_worker_up{worker="scheduler"} 1.0' in metrics
        assert group.readiness() is True
    finally:
        group.stop()


def test_a_dead_worker_makes_the_instance_not_ready_until_it_is_restarted() -> None:
    died = threading.Event()
    resumed = threading.Event()
    crashes = [Crash("out of here")]

    def tick() -> float | None:
        if crashes:
            raise crashes.pop()
        resumed.set()
        return None

    worker = Worker("relay", tick, interval=3600, initial_backoff=0.0)
    # No supervisor: the test revives the group itself, once it saw the thread end.
    group = WorkerGroup([worker])
    worker._on_exit = died.set
    worker.start()
    try:
        assert died.wait(EVENTUALLY), "the thread did not end"
        assert not worker.alive
        with pytest.raises(NotReady, match=r"relay: the thread died \(Crash: out of here\)"):
            group.readiness()
        assert group.revive() == ["relay"]
        assert resumed.wait(EVENTUALLY), "the restarted worker did not tick"
        assert group.readiness() is True
    finally:
        worker.stop()


def test_readiness_fails_when_no_tick_succeeds_for_too_long_or_the_lag_is_too_high() -> None:
    clock = Clock()
    fail = threading.Event()
    fail.set()
    lag: list[float | None] = [None]
    ticked = threading.Event()
    release = threading.Event()

    def tick() -> float | None:
        ticked.set()
        # Hold the thread here (alive) until the test has looked.
        release.wait(EVENTUALLY)
        release.clear()
        if fail.is_set():
            raise RuntimeError("search is down")
        return None

    worker = Worker(
        "relay",
        tick,
        interval=0.0,
        initial_backoff=0.0,
        stale_after=60.0,
        max_lag=300.0,
        lag=lambda: lag[0],
        pending=lambda: 154,
        clock=clock,
    )
    group = WorkerGroup([worker])
    worker.start()
    try:
        assert ticked.wait(EVENTUALLY)
        assert group.readiness() is True
        clock.now += 61
        with pytest.raises(NotReady, match="relay: no successful run for 61 s"):
            group.readiness()

        fail.clear()
        ticked.clear()
        release.set()
        assert ticked.wait(EVENTUALLY), "no second tick"
        assert group.readiness() is True  # a success ends the staleness
        lag[0] = 301.0
        ticked.clear()
        release.set()
        assert ticked.wait(EVENTUALLY), "no third tick"
        with pytest.raises(NotReady, match="relay: lag 301 s over 300 s, 154 pending"):
            group.readiness()
        registry = CollectorRegistry()
        group.register_metrics(registry)
        metrics = generate_latest(registry).decode()
        assert 'townhall_worker_lag_seconds{worker="relay"} 301.0' in metrics
        assert 'townhall_worker_pending{worker="relay"} 154.0' in metrics
    finally:
        worker.stop(timeout=0)
        release.set()


def test_a_lag_probe_that_fails_reads_as_unknown() -> None:
    def broken() -> float | None:
        raise RuntimeError("cannot tell")

    worker = Worker("views", lambda: None, interval=1.0, lag=broken)
    assert worker.report().lag_seconds is None


def test_the_readiness_endpoint_names_the_failing_worker_and_why(signing_key_file: Path) -> None:
    worker = Worker("relay", lambda: None, interval=1.0, max_lag=10.0, lag=lambda: 42.0)
    worker._started_at = 0.0  # as if started; no thread needed to judge the lag
    worker._thread = threading.main_thread()
    group = WorkerGroup([worker])
    settings = ServiceSettings(environment="test", signing_key_file=signing_key_file)
    app = create_app(
        name="demo", settings=settings, routers=[], readiness={"workers": group.readiness}
    )
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["checks"] == {"workers": False}
    assert problem["reasons"] == {"workers": "relay: lag 42 s over 10 s"}
    assert "relay: lag 42 s over 10 s" in problem["detail"]
    assert TestClient(app).get("/healthz").status_code == 200


def test_a_log_line_that_cannot_be_written_is_dropped_and_counted() -> None:
    before = dropped_log_lines()
    logger = SurvivingPrintLogger(FullDisk())
    logger.warning("nowhere to go")
    logger.exception("nor this")
    assert dropped_log_lines() == before + 2


def test_the_service_logger_survives_a_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", FullDisk())
    configure_logging(service="demo", json=True)
    before = dropped_log_lines()
    structlog.get_logger("demo").error("disk is full")
    assert dropped_log_lines() == before + 1
    structlog.reset_defaults()
