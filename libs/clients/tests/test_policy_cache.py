"""CachedPolicy against a fake policy at its HTTP boundary, on a hand-driven clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from townhall_clients import CachedPolicy, PolicyClient, ServiceUnavailable, policy_cache
from townhall_contracts.policy import Action, DecisionRequest

NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Policy:
    """Answers at `revision`; counts the questions; `down` refuses connections."""

    def __init__(self) -> None:
        self.revision = 3
        self.boundary: datetime | None = None
        self.allowed = True
        self.down = False
        self.unknown: set[str] = set()
        self.inactive: set[str] = set()
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
        if path == "/internal/v1/audiences":
            principals = json.loads(request.read())["principals"]
            return httpx.Response(
                200,
                json={
                    "principals": principals,
                    "subjects": [f"member-{self.revision}"],
                    "policy_revision": self.revision,
                },
            )
        subject = path.split("/")[3]
        if subject in self.unknown:
            return httpx.Response(404, json={"title": "Not found", "status": 404})
        return httpx.Response(
            200,
            json={
                "subject": subject,
                "active": subject not in self.inactive,
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


def test_an_audience_is_reused_at_the_confirmed_revision_only(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    assert cached.audience(["org", "group:lyon"]).subjects == ["member-3"]
    assert cached.audience(["group:lyon", "org"]).subjects == ["member-3"]
    assert policy.calls["/internal/v1/audiences"] == 1
    policy.revision = 4
    clock.tick(0.3)  # the revision is checked again: the audience is asked anew
    assert cached.audience(["org", "group:lyon"]).subjects == ["member-4"]
    assert policy.calls["/internal/v1/audiences"] == 2


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


# -- the rule at its boundaries -------------------------------------------------------------


def test_the_revision_is_asked_again_at_exactly_the_check_interval(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    cached.decide("alice", Action.READ, "org")
    clock.tick(0.125)
    cached.decide("alice", Action.READ, "org")
    assert policy.calls["/v1/revision"] == 1

    clock.tick(0.125)  # 0.25 s since the confirmation: due
    cached.decide("alice", Action.READ, "org")

    assert policy.calls["/v1/revision"] == 2
    assert policy.calls["decision"] == 1


def test_an_answer_expires_at_exactly_its_ttl(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    cached.principals("alice")
    clock.tick(0.5)
    clock.tick(0.25)
    cached.principals("alice")  # 0.75 s old: reused
    assert policy.calls["/v1/subjects/alice/principals"] == 1

    clock.tick(0.25)  # 1.0 s old: expired
    cached.principals("alice")

    assert policy.calls["/v1/subjects/alice/principals"] == 2


def test_answers_hold_until_the_validity_boundary_and_not_at_it(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    policy.boundary = NOON + timedelta(seconds=0.5)
    cached.decide("alice", Action.READ, "org")
    clock.tick(0.25)
    cached.decide("alice", Action.READ, "org")  # before the boundary, same revision
    assert policy.calls["decision"] == 1

    policy.boundary = None  # the grant ended at the boundary, at the same revision
    policy.allowed = False
    clock.tick(0.125)
    assert cached.decide("alice", Action.READ, "org").allowed  # not yet due, not yet passed
    clock.tick(0.125)  # exactly at the boundary

    assert not cached.decide("alice", Action.READ, "org").allowed
    assert policy.calls["decision"] == 2


def test_an_answer_at_an_older_revision_is_used_but_not_kept(
    cached: CachedPolicy, policy: Policy
) -> None:
    cached.decide("alice", Action.READ, "org")  # confirms revision 3
    policy.revision = 2  # a lagging policy instance answers

    assert cached.principals("bob").policy_revision == 2
    cached.principals("bob")

    assert policy.calls["/v1/subjects/bob/principals"] == 2
    assert cached.revision == 3


def test_while_another_request_confirms_the_revision_others_keep_it_up_to_twice_the_interval(
    cached: CachedPolicy, policy: Policy, clock: Clock
) -> None:
    cached.decide("alice", Action.READ, "org")
    cached._checking.acquire()  # another request is asking policy
    try:
        clock.tick(0.375)  # due, but within twice the interval: the confirmed one holds
        assert cached.decide("alice", Action.READ, "org").allowed
        assert policy.calls["/v1/revision"] == 1
        clock.tick(0.125)  # twice the interval: this request must wait for the check
        cached._wait = 0.01
        with pytest.raises(ServiceUnavailable):
            cached.decide("alice", Action.READ, "org")
    finally:
        cached._checking.release()


def test_readable_by_is_the_principals_of_an_active_subject_known_to_policy(
    cached: CachedPolicy, policy: Policy
) -> None:
    assert cached.readable_by("alice") == frozenset({"org", "user:alice"})
    policy.unknown.add("ghost")
    policy.inactive.add("gone")

    assert cached.readable_by("ghost") == frozenset()
    assert cached.readable_by("gone") == frozenset()


def test_a_full_cache_drops_expired_entries_first(
    cached: CachedPolicy, policy: Policy, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy_cache, "MAX_ENTRIES", 2)
    cached.principals("old")
    clock.tick(0.75)
    cached.principals("alice")
    clock.tick(0.25)  # "old" has expired, "alice" has not

    cached.principals("bob")  # full: "old" goes, "alice" stays
    cached.principals("alice")

    assert policy.calls["/v1/subjects/alice/principals"] == 1
    assert len(cached._entries) == 2
