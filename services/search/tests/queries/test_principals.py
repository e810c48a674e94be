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

    def principals(self, subject: str) -> Principals:
        self.calls.append(subject)
        return self.answers[subject]


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
        def principals(self, subject: str) -> Principals:
            raise UnexpectedResponse("policy", 404, {"title": "Not found"})

    assert PrincipalsCache(Missing(), ttl_seconds=1.0).readable_by("ghost") == frozenset()


def test_other_policy_failures_propagate() -> None:
    class Broken:
        def principals(self, subject: str) -> Principals:
            raise UnexpectedResponse("policy", 400, {"title": "Bad request"})

    with pytest.raises(UnexpectedResponse):
        PrincipalsCache(Broken(), ttl_seconds=1.0).readable_by("alice")
