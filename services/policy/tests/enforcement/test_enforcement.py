"""The casbin view agrees with the tables, explains itself, and reloads atomically."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from townhall_contracts.policy import ORG_DOMAIN, Action, DecisionRequest
from townhall_platform.db import make_engine
from townhall_policy.decisions.service import decide
from townhall_policy.enforcement.entries import (
    DomainEntry,
    GrantEntry,
    PermissionEntry,
    PolicyData,
    RoleEntry,
    SubjectEntry,
)
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.engine import PolicyEngine
from townhall_policy.engine.loader import load_policy_data


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Any:
    database = make_engine(seeded_url)
    yield PolicyEngine(database)
    database.dispose()


def _reference_allows(data: PolicyData, subject: str, action: str, domain: str) -> bool:
    """What the tables say, computed without casbin."""
    classes = {d.id: d.domain_class for d in data.domains}
    active = {s.id for s in data.subjects if s.active}
    if subject not in active or domain not in classes:
        return False
    holders = {subject} | {g for g, m in data.memberships if m == subject and g in active}
    rules = {(p.role, p.scope, p.domain_class, p.action): p.effect for p in data.permissions}
    effects: set[str] = set()
    for grant in data.grants:
        if grant.subject_id not in holders or not grant.in_force_at(data.loaded_at):
            continue
        if grant.domain == ORG_DOMAIN:
            scope = "org"
        elif grant.domain == domain:
            scope = "space"
        else:
            continue
        effect = rules.get((grant.role, scope, classes[domain], action))
        if effect is not None:
            effects.add(effect)
    # A role's deny overrides every allow (compliance officers change nothing).
    return effects == {"allow"}


def test_casbin_answers_what_the_tables_say_for_every_demo_triple(seeded_url: str) -> None:
    database = make_engine(seeded_url)
    try:
        data = load_policy_data(database, now=datetime.now(UTC))
    finally:
        database.dispose()
    snapshot = PolicySnapshot.build(data)
    subjects = [s.id for s in data.subjects] + ["nobody"]
    domains = [d.id for d in data.domains] + ["space:unknown"]

    checked = 0
    for subject in subjects:
        for domain in domains:
            for action in Action:
                request = DecisionRequest(subject=subject, action=action, domain=domain)
                decision = decide(snapshot, request, requested_by="test")
                assert decision.allowed is _reference_allows(data, subject, action, domain), (
                    subject,
                    action,
                    domain,
                )
                checked += 1
    assert checked == len(subjects) * len(domains) * len(Action)


def _snapshot(grants: list[GrantEntry], *, now: datetime) -> PolicySnapshot:
    return PolicySnapshot.build(
        PolicyData(
            revision=7,
            loaded_at=now,
            subjects=(SubjectEntry("ann", "user", True),),
            memberships=(),
            domains=(
                DomainEntry("org", "org"),
                DomainEntry("space:x", "community-restricted"),
            ),
            roles=(RoleEntry("member", "space", 10), RoleEntry("owner", "space", 30)),
            permissions=(
                PermissionEntry("member", "space", "community-restricted", "read"),
                PermissionEntry("owner", "space", "community-restricted", "read"),
                PermissionEntry("owner", "space", "community-restricted", "pin"),
            ),
            grants=tuple(grants),
        )
    )


def _grant(role: str, *, starts: datetime, ends: datetime | None = None) -> GrantEntry:
    return GrantEntry(
        id=f"g-{role}",
        subject_id="ann",
        role=role,
        domain="space:x",
        granted_by="paul",
        granted_at=starts,
        justification="Because",
        valid_from=starts,
        valid_to=ends,
    )


def test_the_snapshot_knows_its_next_validity_boundary() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    later, much_later = now + timedelta(hours=1), now + timedelta(days=1)

    snapshot = _snapshot(
        [_grant("member", starts=now, ends=much_later), _grant("owner", starts=later)], now=now
    )

    assert snapshot.next_boundary == later
    assert [h.grant.role for h in snapshot.held_roles("ann")] == ["member"]


def test_the_suggested_role_is_the_least_privileged() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    snapshot = _snapshot([], now=now)
    space = DomainEntry("space:x", "community-restricted")

    assert snapshot.suggest_role("read", space) == ("member", "space:x")
    assert snapshot.suggest_role("pin", space) == ("owner", "space:x")
    assert snapshot.suggest_role("moderate", space) is None


def test_reloads_swap_atomically_under_running_checks(engine: PolicyEngine) -> None:
    request = DecisionRequest(subject="alice", action=Action.POST_SOCIAL, domain="space:cafe")
    errors: list[BaseException] = []
    answers: list[bool] = []
    stop = threading.Event()

    def check() -> None:
        try:
            while not stop.is_set():
                answers.append(decide(engine.current(), request, requested_by="test").allowed)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(10):
            engine.reload()
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert errors == []
    assert answers
    assert all(answers)


def test_the_engine_follows_the_stored_revision(api: Any, engine: PolicyEngine) -> None:
    engine.reload()
    loaded = engine.loaded_revision

    api.grant("hugo", "member", "space:hr-confidential")
    engine.poll()

    assert engine.loaded_revision == api.revision() == (loaded or 0) + 1
    assert decide(
        engine.current(),
        DecisionRequest(subject="hugo", action=Action.READ, domain="space:hr-confidential"),
        requested_by="test",
    ).allowed
