"""Applying changes to a copy of the snapshot answers exactly as a full reload.

Random sequences of changes go through the services (grants, revocations, time-bounded
grants, deactivations, group memberships, suspensions, domain kinds) while a clock
moves past validity boundaries; after each step the snapshot updated from the audit
trail's events must equal one built from every row at the same instant.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_contracts import demo
from townhall_contracts.policy import ORG_DOMAIN, Action, Role, SpaceKind
from townhall_platform.db import make_engine, session_scope
from townhall_platform.errors import TownhallError
from townhall_policy.directory import service as directory
from townhall_policy.domains import service as domains
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.loader import load_changes, load_policy_data
from townhall_policy.grants import service as grants
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.suspensions import service as suspensions
from townhall_policy.timestamps import utcnow

WHY = "Incremental snapshot test"
USERS = [u.id for u in demo.USERS]
GROUPS = list(demo.GROUPS)
SPACES = [f"space:{s.id}" for s in demo.SPACES]


@pytest.fixture(scope="module")
def database(seeded_url: str) -> Iterator[Engine]:
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


def _assert_same(applied: PolicySnapshot, full: PolicySnapshot) -> None:
    assert applied.revision == full.revision
    assert applied.next_boundary == full.next_boundary
    assert applied.subjects == full.subjects
    assert applied.domains == full.domains
    assert applied.groups_of == full.groups_of
    assert applied.grants_of == full.grants_of
    assert applied.suspensions_of == full.suspensions_of
    assert applied.org_roles == full.org_roles
    assert applied.space_roles == full.space_roles
    for subject in [*USERS, *GROUPS]:
        for domain in [ORG_DOMAIN, *SPACES]:
            for action in Action:
                assert applied.allows(subject, domain, action) == full.allows(
                    subject, domain, action
                )


def _random_change(
    rng: random.Random, session: Session, now: datetime, snapshot: PolicySnapshot
) -> None:
    """One change of a random kind; refused ones (self-grants, duplicates) roll back."""
    kind = rng.choice(
        ["grant", "grant", "timed", "revoke", "active", "join", "leave", "suspend", "lift", "kind"]
    )
    subject = rng.choice(USERS + GROUPS)
    if kind in ("grant", "timed"):
        role = rng.choice(list(Role))
        domain = rng.choice([ORG_DOMAIN, *SPACES])
        starts = ends = None
        if kind == "timed":
            starts = now + timedelta(minutes=rng.randint(-30, 90))
            ends = starts + timedelta(minutes=rng.randint(5, 90))
        grants.grant_role(
            session,
            snapshot,
            subject_id=subject,
            role=role,
            domain=domain,
            granted_by=rng.choice(["paul", *USERS]),
            justification=WHY,
            valid_from=starts,
            valid_to=ends,
        )
    elif kind == "revoke":
        held = session.exec(select(Grant.id).where(col(Grant.revoked_at).is_(None))).all()
        grants.revoke_grant(
            session, snapshot, grant_id=rng.choice(held), revoked_by="paul", justification=WHY
        )
    elif kind == "active":
        directory.set_subject_active(
            session, subject_id=subject, active=rng.random() < 0.4, justification=WHY
        )
    elif kind in ("join", "leave"):
        group, member = rng.choice(GROUPS), rng.choice(USERS)
        if kind == "join":
            directory.ensure_membership(
                session, group_id=group, member_id=member, justification=WHY
            )
        else:
            directory.remove_membership(
                session, group_id=group, member_id=member, actor="paul", justification=WHY
            )
    elif kind == "suspend":
        starts = now + timedelta(minutes=rng.randint(-10, 60))
        suspensions.suspend(
            session,
            subject_id=subject,
            domain=rng.choice([ORG_DOMAIN, *SPACES]),
            action=rng.choice([None, *Action]),
            created_by="paul",
            justification=WHY,
            valid_from=starts,
            valid_to=starts + timedelta(minutes=rng.randint(5, 90)) if rng.random() < 0.5 else None,
        )
    elif kind == "lift":
        open_ = session.exec(select(Suspension.id).where(col(Suspension.lifted_at).is_(None))).all()
        if open_:
            suspensions.lift(
                session, suspension_id=rng.choice(open_), lifted_by="paul", justification=WHY
            )
    else:
        domains.register_space_domain(
            session,
            domain_id=rng.choice(SPACES),
            kind=rng.choice(list(SpaceKind)),
            visibility=rng.choice(["public", "restricted"]),
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_applied_changes_answer_as_a_full_reload(database: Engine, seed: int) -> None:
    rng = random.Random(seed)
    # The snapshot's clock runs ahead of the wall clock and jumps past validity boundaries.
    offset = timedelta(hours=1)
    clock: Callable[[], datetime] = lambda: utcnow() + offset  # noqa: E731
    snapshot = PolicySnapshot.build(load_policy_data(database, now=clock()))
    applied_steps = 0
    for _ in range(40):
        for _ in range(rng.randint(1, 3)):
            try:
                with session_scope(database) as session:
                    _random_change(rng, session, clock(), snapshot)
            except (TownhallError, IndexError):
                pass  # refused: nothing was written
        offset += timedelta(minutes=rng.randint(0, 40))
        now = clock()
        changes = load_changes(database, snapshot, now=now)
        assert changes is not None
        snapshot = snapshot.apply(changes, now=now)
        _assert_same(snapshot, PolicySnapshot.build(load_policy_data(database, now=now)))
        applied_steps += 1
    assert applied_steps == 40


def test_a_gap_in_the_trail_falls_back_to_a_full_reload(database: Engine) -> None:
    now = utcnow()
    snapshot = PolicySnapshot.build(load_policy_data(database, now=now))
    with session_scope(database) as session:
        directory.set_subject_active(session, subject_id="bob", active=False, justification=WHY)
        directory.set_subject_active(session, subject_id="bob", active=True, justification=WHY)
    # Pretend the snapshot was loaded one revision earlier than its events say.
    stale = PolicySnapshot(**{**snapshot.__dict__, "revision": snapshot.revision - 1})
    assert load_changes(database, stale, now=now) is None
    assert load_changes(database, snapshot, now=now) is not None
