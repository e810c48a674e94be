"""The circuit breaker and the total deadline, on a hand-driven clock and MockTransport."""

from __future__ import annotations

import threading

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from townhall_clients import (
    BreakerMetrics,
    BreakerState,
    CachedPolicy,
    CircuitBreaker,
    PolicyClient,
    ServiceUnavailable,
    UnexpectedResponse,
)
from townhall_contracts.policy import Action

REVISION = {"policy_revision": 4, "details": {"next_validity_boundary": None}}


class Clock:
    def __init__(self) -> None:
        self.now = 50.0


class Policy:
    """Refuses connections while `down`; counts every request that reached it."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=REVISION)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("policy", failure_threshold=3, reset_seconds=2.0, clock=lambda: clock.now)


def _client(policy: Policy, breaker: CircuitBreaker) -> PolicyClient:
    return PolicyClient(
        "http://policy",
        token=lambda: "t",
        retries=1,
        breaker=breaker,
        transport=httpx.MockTransport(policy.handle),
    )


def test_consecutive_failures_open_the_breaker_and_then_nothing_reaches_the_network(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    policy = Policy()
    client = _client(policy, breaker)
    policy.down = True
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            client.revision()
    assert breaker.state is BreakerState.OPEN
    assert policy.calls == 3
    for _ in range(100):
        with pytest.raises(ServiceUnavailable) as refused:
            client.revision()
        assert refused.value.status == 503
    assert policy.calls == 3
    assert breaker.refusals == 100


def test_after_the_cool_down_one_probe_decides(breaker: CircuitBreaker, clock: Clock) -> None:
    policy = Policy()
    client = _client(policy, breaker)
    policy.down = True
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            client.revision()
    clock.now += 2.0
    # The probe fails: open again for another cool-down, without a second probe.
    with pytest.raises(ServiceUnavailable):
        client.revision()
    assert policy.calls == 4
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(ServiceUnavailable):
        client.revision()
    assert policy.calls == 4
    clock.now += 2.0
    policy.down = False
    assert client.revision() == 4
    assert breaker.state is BreakerState.CLOSED
    assert client.revision() == 4


def test_while_the_probe_runs_every_other_call_is_refused(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(3):
        breaker.record_failure()
    clock.now += 2.0
    breaker.before_call()
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(ServiceUnavailable):
        breaker.before_call()
    # A probe that ended without an answer (a bug, a cancellation) lets another probe.
    breaker.release()
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED


def test_an_answer_below_500_is_a_success_and_a_5xx_a_failure(breaker: CircuitBreaker) -> None:
    statuses = iter([503, 503, 404, 503, 503])
    client = PolicyClient(
        "http://policy",
        token=lambda: "t",
        retries=1,
        breaker=breaker,
        transport=httpx.MockTransport(lambda request: httpx.Response(next(statuses))),
    )
    for _ in range(5):
        with pytest.raises((ServiceUnavailable, UnexpectedResponse)):
            client.revision()
    # The 404 reset the count: two failures after it, not five in a row.
    assert breaker.state is BreakerState.CLOSED


def test_the_deadline_bounds_a_call_across_its_retries() -> None:
    """A policy that accepts and never answers: the call gives up at its deadline."""
    release = threading.Event()

    def frozen(request: httpx.Request) -> httpx.Response:
        timeout = request.extensions["timeout"]["read"]
        # MockTransport cannot time out on its own: honour the read timeout as a socket would.
        if not release.wait(timeout):
            raise httpx.ReadTimeout("frozen", request=request)
        return httpx.Response(200, json=REVISION)

    asked: list[float] = []
    client = PolicyClient(
        "http://policy",
        token=lambda: "t",
        timeout=30.0,
        retries=3,
        deadline=0.3,
        transport=httpx.MockTransport(
            lambda request: asked.append(request.extensions["timeout"]["read"]) or frozen(request)
        ),
    )
    with pytest.raises(ServiceUnavailable):
        client.revision()
    # Each attempt was given what remained of the deadline, never the 30 s timeout.
    assert asked
    assert all(timeout <= 0.3 for timeout in asked)
    release.set()


def test_an_open_breaker_refuses_a_due_revision_check_without_taking_the_lock(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    policy = Policy()
    client = _client(policy, breaker)
    cached = CachedPolicy(
        client, ttl_seconds=1.0, revision_check_seconds=0.0, clock=lambda: clock.now
    )
    policy.down = True
    for _ in range(3):
        with pytest.raises(ServiceUnavailable):
            cached.decide("alice", Action.COMMENT, "org")
    assert breaker.state is BreakerState.OPEN
    # Another thread holding the check lock (say, stuck) does not delay refusals.
    cached._checking.acquire()
    try:
        for _ in range(20):
            with pytest.raises(ServiceUnavailable):
                cached.decide("alice", Action.COMMENT, "org")
    finally:
        cached._checking.release()
    assert policy.calls == 3


def test_the_requests_waiting_on_a_failed_check_share_its_failure(clock: Clock) -> None:
    """One failed revision check answers every request that waited for it: one call, not N."""
    policy = Policy()
    policy.down = True
    entered = threading.Event()
    proceed = threading.Event()

    def slow_down(request: httpx.Request) -> httpx.Response:
        entered.set()
        proceed.wait(10)
        return policy.handle(request)

    client = PolicyClient(
        "http://policy", token=lambda: "t", retries=1, transport=httpx.MockTransport(slow_down)
    )
    cached = CachedPolicy(
        client, ttl_seconds=1.0, revision_check_seconds=0.0, clock=lambda: clock.now
    )
    failures: list[Exception] = []

    def ask() -> None:
        try:
            cached.decide("alice", Action.COMMENT, "org")
        except ServiceUnavailable as exc:
            failures.append(exc)

    first = threading.Thread(target=ask)
    first.start()
    assert entered.wait(10)
    waiters = [threading.Thread(target=ask) for _ in range(5)]
    for waiter in waiters:
        waiter.start()
    proceed.set()
    for thread in [first, *waiters]:
        thread.join(10)
    assert len(failures) == 6
    assert policy.calls == 1


def test_breaker_metrics_report_state_and_refusals(breaker: CircuitBreaker) -> None:
    registry = CollectorRegistry()
    BreakerMetrics.register(registry, [breaker])
    for _ in range(3):
        breaker.record_failure()
    with pytest.raises(ServiceUnavailable):
        breaker.before_call()
    text = generate_latest(registry).decode()
    assert 'townhall_dependency_breaker_state{dependency="policy"} 1.0' in text
    assert 'townhall_dependency_refusals_total{dependency="policy"} 1.0' in text
