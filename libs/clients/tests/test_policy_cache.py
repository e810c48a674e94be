"""CachedPolicy against a fake policy at its HTTP boundary, on a hand-driven clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from townhall_clients import CachedPolicy, PolicyClient, ServiceUnavailable
from townhall_contracts.policy import Action, DecisionRequest

NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Policy:
    """Answers at `revision`; counts the questions; `down` refuses connections."""

    def __init__(self) -> None:
        self.revision = 3
        self.boundary: datetime | None = None
        self.allowed = True
        self.down = False
        self.calls: dict[str, int] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("policy is down", request=request)
        path = request.url.path
        self.calls[path] = self.calls.get(path, 0) + 1
        if path == "/v1/revision":
            boundary = self.boundary.isoformat() if self.boundary else None
            return httpx.Response(
                200,
                json={
                    "policy_revision": self.revision,
                    "details": {"next_validity_boundary": boundary},
                },
            )
        if path == "/v1/decisions":
            return httpx.Response(200, json=self._decision(request.read()))
        if path == "/v1/decisions/batch":
            bodies = json.loads(request.read())["decisions"]
            return httpx.Response(
                200,
                json={
                    "policy_revision": self.revision,
                    "decisions": [self._decision(json.dumps(b).encode()) for b in bodies],
                },
            )
        subject = path.split("/")[3]
        return httpx.Response(
            200,
            json={
                "subject": subject,
                "active": True,
                "principals": ["org", f"user:{subject}"],
                "policy_revision": self.revision,
            },
        )

    def _decision(self, body: bytes) -> dict[str, Any]:
        asked = json.loads(body)
        self.calls["decision"] = self.calls.get("decision", 0) + 1
        return {
            "allowed": self.allowed,
            "decision_id": f"d{self.calls['decision']}",
            "policy_revision": self.revision,
            "reason": {"summary": "s", "rule": None, "role_path": [], "grant": None},
            **asked,
        }


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.wall = NOON

    def tick(self, seconds: float) -> None:
        self.now += seconds
        self.wall += timedelta(seconds=seconds)


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cached(policy: Policy, clock: Clock) -> CachedPolicy:
    client = PolicyClient(
        "http://policy", token=lambda: "t", retries=1, transport=httpx.MockTransport(policy.handle)
    )
    return CachedPolicy(
        client,
        ttl_seconds=1.0,
        revision_check_seconds=0.25,
        clock=lambda: clock.now,
        wall_clock=lambda: clock.wall,
    )


def test_a_decision_is_reused_at_the_same_revision(cached: CachedPolicy, policy: Policy) -> None:
    first = cached.decide("alice", Action.POST_SOCIAL, "space:cafe")
    again = cached.decide("alice", Action.POST_SOCIAL, "space:cafe")

    assert again == first  # the same decision id and revision, stored with what it allowed
    assert policy.calls["decision"] == 1
    assert cached.decide("bob", Action.POST_SOCIAL, "space:cafe").decision_id == "d2"


def test_a_new_revision_drops_cached_answers_at_the_next_check(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    assert cached.decide("alice", Action.POST_SOCIAL, "space:cafe").allowed
    assert cached.principals("alice").principals == ["org", "user:alice"]
    policy.revision, policy.allowed = 4, False

    clock.tick(0.1)  # within the check interval: the confirmed revision still holds
    assert cached.decide("alice", Action.POST_SOCIAL, "space:cafe").allowed
    clock.tick(0.2)  # the revision is checked again: revoked

    refused = cached.decide("alice", Action.POST_SOCIAL, "space:cafe")
    assert not refused.allowed and refused.policy_revision == 4
    assert cached.principals("alice").policy_revision == 4
    assert cached.revision == 4


def test_an_answer_at_a_newer_revision_raises_it_at_once(
    cached: CachedPolicy, policy: Policy
) -> None:
    cached.decide("alice", Action.READ, "org")
    policy.revision = 9

    assert cached.principals("bob").policy_revision == 9
    assert cached.revision == 9
    assert cached.decide("alice", Action.READ, "org").policy_revision == 9
    assert policy.calls["decision"] == 2


def test_a_validity_boundary_passing_drops_cached_answers(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    policy.boundary = NOON + timedelta(seconds=0.05)
    cached.decide("alice", Action.READ, "org")
    policy.boundary = None  # a grant ended at the boundary, at the same revision
    policy.allowed = False

    clock.tick(0.1)

    assert not cached.decide("alice", Action.READ, "org").allowed


def test_no_cache_past_the_ttl_even_at_the_same_revision(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    cached.principals("alice")
    for _ in range(5):
        clock.tick(0.24)
        cached.principals("alice")

    assert policy.calls["/v1/subjects/alice/principals"] == 2


def test_batches_come_whole_from_the_cache_or_whole_from_policy(
    cached: CachedPolicy, policy: Policy
) -> None:
    ask = [
        DecisionRequest(subject="alice", action=Action.PIN, domain="space:cafe"),
        DecisionRequest(subject="alice", action=Action.MODERATE, domain="org"),
    ]
    cached.decide("alice", Action.PIN, "space:cafe")

    first = cached.decide_batch(ask)
    again = cached.decide_batch(ask)

    assert [d.decision_id for d in again.decisions] == [d.decision_id for d in first.decisions]
    assert policy.calls["/v1/decisions/batch"] == 1


def test_fails_closed_when_the_revision_cannot_be_confirmed(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    cached.decide("alice", Action.READ, "org")
    policy.down = True

    with pytest.raises(ServiceUnavailable):
        clock.tick(0.3)
        cached.decide("alice", Action.READ, "org")
    with pytest.raises(ServiceUnavailable):
        cached.principals("alice")


def test_nothing_is_cached_with_no_ttl(policy: Policy) -> None:
    client = PolicyClient(
        "http://policy", token=lambda: "t", transport=httpx.MockTransport(policy.handle)
    )
    uncached = CachedPolicy(client, ttl_seconds=0)

    uncached.decide("alice", Action.READ, "org")
    uncached.decide("alice", Action.READ, "org")

    assert policy.calls["decision"] == 2
    assert "/v1/revision" not in policy.calls
