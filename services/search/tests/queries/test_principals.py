"""The principals a search reads with: policy's, through the one policy cache.

Briefly trusted, per subject, never past a newer policy revision; empty for a subject
policy reports inactive or does not know.
"""

from __future__ import annotations

import httpx
import pytest

from townhall_clients import CachedPolicy, PolicyClient, UnexpectedResponse
from townhall_contracts.policy import Principals


class Directory:
    """Policy's principals and revision, at the HTTP boundary of `PolicyClient`."""

    def __init__(self) -> None:
        self.answers = {
            "alice": Principals(
                subject="alice", active=True, principals=["org", "user:alice"], policy_revision=1
            ),
            "gone": Principals(subject="gone", active=False, principals=["org"], policy_revision=1),
        }
        self.calls: list[str] = []
        self.current_revision = 1
        self.revision_checks = 0
        self.failure = 404

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/revision":
            self.revision_checks += 1
            return httpx.Response(200, json={"policy_revision": self.current_revision})
        subject = path.split("/")[3]
        self.calls.append(subject)
        if subject not in self.answers:
            return httpx.Response(self.failure, json={"title": "No", "status": self.failure})
        return httpx.Response(200, json=self.answers[subject].model_dump(mode="json"))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _cache(
    directory: Directory,
    *,
    ttl_seconds: float = 1.0,
    revision_check_seconds: float = 0.25,
    clock: Clock | None = None,
) -> CachedPolicy:
    client = PolicyClient(
        "http://policy",
        token=lambda: "t",
        retries=1,
        transport=httpx.MockTransport(directory.handle),
    )
    return CachedPolicy(
        client,
        ttl_seconds=ttl_seconds,
        revision_check_seconds=revision_check_seconds,
        clock=clock or Clock(),
    )


def test_answers_are_reused_until_they_expire() -> None:
    directory, clock = Directory(), Clock()
    cache = _cache(directory, clock=clock)

    first = cache.readable_by("alice")
    clock.now += 0.5
    second = cache.readable_by("alice")
    directory.answers["alice"] = Principals(
        subject="alice", active=True, principals=["user:alice"], policy_revision=2
    )
    clock.now += 0.6
    third = cache.readable_by("alice")

    assert first == second == frozenset({"org", "user:alice"})
    assert third == frozenset({"user:alice"})
    assert directory.calls == ["alice", "alice"]


def test_zero_ttl_asks_every_time() -> None:
    directory = Directory()
    cache = _cache(directory, ttl_seconds=0.0)

    cache.readable_by("alice")
    cache.readable_by("alice")

    assert directory.calls == ["alice", "alice"]


def test_inactive_subject_reads_nothing() -> None:
    assert _cache(Directory()).readable_by("gone") == frozenset()


def test_subject_unknown_to_policy_reads_nothing() -> None:
    assert _cache(Directory()).readable_by("ghost") == frozenset()


def test_other_policy_failures_propagate() -> None:
    directory = Directory()
    directory.failure = 400

    with pytest.raises(UnexpectedResponse):
        _cache(directory).readable_by("ghost")


def test_a_newer_policy_revision_drops_cached_answers_before_they_expire() -> None:
    directory, clock = Directory(), Clock()
    cache = _cache(directory, clock=clock)
    assert cache.readable_by("alice") == frozenset({"org", "user:alice"})

    # A membership is revoked: policy answers differently, at a newer revision.
    directory.answers["alice"] = Principals(
        subject="alice", active=True, principals=["user:alice"], policy_revision=2
    )
    directory.current_revision = 2
    clock.now += 0.1
    # Within the check interval the cached answer may still be used...
    assert cache.readable_by("alice") == frozenset({"org", "user:alice"})
    clock.now += 0.2
    # ...but once the revision is checked again, the stale answer is never used.
    assert cache.readable_by("alice") == frozenset({"user:alice"})
    assert cache.revision == 2
    assert directory.calls == ["alice", "alice"]


def test_the_revision_is_checked_at_most_once_per_interval() -> None:
    directory, clock = Directory(), Clock()
    cache = _cache(directory, clock=clock)

    for _ in range(50):
        cache.readable_by("alice")
        clock.now += 0.01

    assert directory.revision_checks == 2
    assert directory.calls == ["alice"]


def test_an_answer_older_than_a_known_revision_is_not_reused() -> None:
    directory, clock = Directory(), Clock()
    cache = _cache(directory, clock=clock)
    directory.current_revision = 3  # policy moved on; the directory answer says 1

    cache.readable_by("alice")
    cache.readable_by("alice")

    assert directory.calls == ["alice", "alice"]
