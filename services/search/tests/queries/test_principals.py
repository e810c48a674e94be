"""The principals cache: briefly trusted, per subject, empty for inactive subjects."""

from __future__ import annotations

import pytest

from townhall_clients import UnexpectedResponse
from townhall_contracts.policy import Principals
from townhall_search.queries.principals import PrincipalsCache


class Directory:
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

    def principals(self, subject: str) -> Principals:
        self.calls.append(subject)
        return self.answers[subject]

    def revision(self) -> int:
        self.revision_checks += 1
        return self.current_revision


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_answers_are_reused_until_they_expire() -> None:
    directory, clock = Directory(), Clock()
    cache = PrincipalsCache(directory, ttl_seconds=1.0, clock=clock)

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
    cache = PrincipalsCache(directory, ttl_seconds=0.0)

    cache.readable_by("alice")
    cache.readable_by("alice")

    assert directory.calls == ["alice", "alice"]


def test_inactive_subject_reads_nothing() -> None:
    cache = PrincipalsCache(Directory(), ttl_seconds=1.0)

    assert cache.readable_by("gone") == frozenset()


def test_subject_unknown_to_policy_reads_nothing() -> None:
    class Missing:
        def revision(self) -> int:
            return 1

        def principals(self, subject: str) -> Principals:
            raise UnexpectedResponse("policy", 404, {"title": "Not found"})

    assert PrincipalsCache(Missing(), ttl_seconds=1.0).readable_by("ghost") == frozenset()


def test_other_policy_failures_propagate() -> None:
    class Broken:
        def revision(self) -> int:
            return 1

        def principals(self, subject: str) -> Principals:
            raise UnexpectedResponse("policy", 400, {"title": "Bad request"})

    with pytest.raises(UnexpectedResponse):
        PrincipalsCache(Broken(), ttl_seconds=1.0).readable_by("alice")


def test_a_newer_policy_revision_drops_cached_answers_before_they_expire() -> None:
    directory, clock = Directory(), Clock()
    cache = PrincipalsCache(directory, ttl_seconds=1.0, revision_check_seconds=0.25, clock=clock)
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
    cache = PrincipalsCache(directory, ttl_seconds=1.0, revision_check_seconds=0.25, clock=clock)

    for _ in range(50):
        cache.readable_by("alice")
        clock.now += 0.01

    assert directory.revision_checks == 2
    assert directory.calls == ["alice"]


def test_an_answer_older_than_a_known_revision_is_not_reused() -> None:
    directory, clock = Directory(), Clock()
    cache = PrincipalsCache(directory, ttl_seconds=1.0, revision_check_seconds=0.25, clock=clock)
    directory.current_revision = 3  # policy moved on; the directory answer says 1

    cache.readable_by("alice")
    cache.readable_by("alice")

    assert directory.calls == ["alice", "alice"]
