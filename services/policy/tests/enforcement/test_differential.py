"""The fast path answers exactly what a plain casbin `Enforcer` answers over the same rules.

Random directories, domains, grants (current, future, expired, revoked, held through
groups) and suspensions are written to the tables; the service loads them as it does in
production, and thousands of random (subject, action, domain) triples are decided by the
service's fast path and by a file-backed `casbin.Enforcer` (the model text and the rules
view, nothing else of the project). The many-subjects answer (`allowed_subjects`) is
compared with both, for every subject of the population at once.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from townhall_contracts.policy import Action, AllowedSubjectsRequest, DecisionRequest
from townhall_platform.db import make_engine, run_migrations
from townhall_policy.decisions.allowed import allowed_subjects
from townhall_policy.decisions.service import decide
from townhall_policy.domains.models import Domain
from townhall_policy.enforcement.reference import casbin_rules, file_enforcer
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.loader import load_policy_data
from townhall_policy.holdings.directory.models import GroupMembership, Subject
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.migrations import MIGRATIONS_DIR

ORG_ROLES = [
    "employee",
    "communicator",
    "approver",
    "spokesperson",
    "moderator",
    "compliance_officer",
    "policy_admin",
]
SPACE_ROLES = ["member", "moderator", "owner"]
TRIPLES_PER_SEED = 2500


def _populate(session: Session, rng: random.Random, now: datetime) -> tuple[list[str], list[str]]:
    users = [f"u{i}" for i in range(150)]
    groups = [f"g{i}" for i in range(12)]
    for subject_id in users:
        session.add(
            Subject(id=subject_id, display_name=subject_id, kind="user", active=rng.random() > 0.05)
        )
    for group_id in groups:
        session.add(
            Subject(id=group_id, display_name=group_id, kind="group", active=rng.random() > 0.1)
        )
    session.flush()
    for user in users:
        for group_id in rng.sample(groups, rng.randint(0, 3)):
            session.add(GroupMembership(group_id=group_id, member_id=user))
    domains = ["org"]
    for i in range(30):
        domain_id = f"space:s{i}"
        session.add(
            Domain(
                id=domain_id,
                kind=rng.choice(["community", "announcement"]),
                visibility=rng.choice(["public", "restricted"]),
            )
        )
        domains.append(domain_id)
    session.flush()

    def period() -> tuple[datetime, datetime | None, datetime | None]:
        kind = rng.random()
        if kind < 0.7:  # in force now
            start = now - timedelta(days=rng.randint(1, 300))
            end = None if rng.random() < 0.8 else now + timedelta(days=rng.randint(1, 30))
            return start, end, None
        if kind < 0.8:  # starts later
            return now + timedelta(days=1), None, None
        if kind < 0.9:  # expired
            return now - timedelta(days=20), now - timedelta(days=1), None
        return now - timedelta(days=20), None, now - timedelta(days=2)  # revoked

    holders = users + groups
    for _ in range(900):
        holder = rng.choice(holders)
        if rng.random() < 0.35:
            domain, role = "org", rng.choice(ORG_ROLES)
        else:
            domain, role = rng.choice(domains[1:]), rng.choice(SPACE_ROLES)
        start, end, revoked = period()
        session.add(
            Grant(
                subject_id=holder,
                role=role,
                domain=domain,
                valid_from=start,
                valid_to=end,
                granted_by="test",
                granted_at=start,
                justification="random",
                revoked_at=revoked,
                revoked_by="test" if revoked else None,
            )
        )
    actions = [a.value for a in Action]
    for _ in range(40):
        start, end, lifted = period()
        session.add(
            Suspension(
                subject_id=rng.choice(users),
                domain=rng.choice(domains),
                action=rng.choice([None, *actions]),
                valid_from=start,
                valid_to=end,
                created_by="test",
                created_at=start,
                justification="random",
                lifted_at=lifted,
            )
        )
    session.commit()
    return [*holders, "nobody"], [*domains, "space:unknown"]


def _generated(database_url: str, seed: int) -> tuple[PolicySnapshot, list[str], list[str]]:
    """A snapshot of a random population written to the tables and loaded as in
    production (the rows are deleted again after loading); its subjects and domains."""
    rng = random.Random(seed)
    run_migrations(database_url, MIGRATIONS_DIR)
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    try:
        with Session(engine) as session:
            # Each seed gets its own ids, so the module's database can hold both.
            subjects, domains = _populate(session, rng, now)
        snapshot = PolicySnapshot.build(load_policy_data(engine, now=now))
    finally:
        with Session(engine) as session:
            for table in ("suspensions", "grants", "group_memberships", "subjects", "domains"):
                session.connection().exec_driver_sql(
                    f"DELETE FROM {table}" + (" WHERE id <> 'org'" if table == "domains" else "")
                )
            session.commit()
        engine.dispose()
    return snapshot, subjects, domains


@pytest.mark.parametrize("seed", [7, 2026])
def test_fast_path_agrees_with_plain_casbin(database_url: str, seed: int, tmp_path: Path) -> None:
    """Each sampled triple decided alone, and the triples of each (action, domain) asked
    as one many-subjects question."""
    snapshot, subjects, domains = _generated(database_url, seed)
    rng = random.Random(seed)
    rules = casbin_rules(snapshot)
    reference = file_enforcer(rules, tmp_path)

    assert len(rules.role_links) > 500
    assert any(rule[3] == "deny" for rule in rules.policies)
    actions = list(Action)
    disagreements = []
    expected_by_question: dict[tuple[Action, str], dict[str, bool]] = defaultdict(dict)
    for _ in range(TRIPLES_PER_SEED):
        subject_id = rng.choice(subjects)
        action = rng.choice(actions)
        domain = rng.choice(domains)
        fast = _decided(snapshot, subject_id, action, domain)
        expected = bool(reference.enforce(_principal(snapshot, subject_id), domain, action.value))
        expected_by_question[action, domain][subject_id] = expected
        if fast != expected:
            disagreements.append((subject_id, action.value, domain, fast, expected))
    for (action, domain), expected_of in expected_by_question.items():
        asked = AllowedSubjectsRequest(action=action, domain=domain, subjects=list(expected_of))
        many = allowed_subjects(snapshot, asked).subjects
        if many != [s for s, allowed in expected_of.items() if allowed]:
            disagreements.append(("many", action.value, domain, many, expected_of))
    assert disagreements == []
    # The sample exercises both answers, not just refusals.
    allowed = sum(sum(e.values()) for e in expected_by_question.values())
    assert 0.1 * TRIPLES_PER_SEED < allowed < 0.9 * TRIPLES_PER_SEED


@pytest.mark.parametrize("seed", [11, 2027])
def test_allowed_subjects_agree_with_single_decisions(database_url: str, seed: int) -> None:
    """Every subject of the population (inactive, revoked, expired, not yet started,
    suspended, held through groups, unknown) asked at once, for every action and domain."""
    snapshot, subjects, domains = _generated(database_url, seed)
    disagreements = []
    allowed = 0
    for action in Action:
        for domain in domains:
            asked = AllowedSubjectsRequest(action=action, domain=domain, subjects=subjects)
            many = allowed_subjects(snapshot, asked).subjects
            single = [s for s in subjects if _decided(snapshot, s, action, domain)]
            allowed += len(single)
            if many != single:
                disagreements.append((action.value, domain, many, single))
    assert disagreements == []
    asked_in_all = len(subjects) * len(domains) * len(Action)
    assert 0.05 * asked_in_all < allowed < 0.9 * asked_in_all


def _decided(snapshot: PolicySnapshot, subject_id: str, action: Action, domain: str) -> bool:
    request = DecisionRequest(subject=subject_id, action=action, domain=domain)
    return decide(snapshot, request, requested_by="test").allowed


def _principal(snapshot: PolicySnapshot, subject_id: str) -> str:
    entry = snapshot.subjects.get(subject_id)
    return entry.principal if entry else f"user:{subject_id}"
