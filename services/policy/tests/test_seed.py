"""The demo seed: complete, and idempotent."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from townhall_contracts import demo
from townhall_platform.db import make_engine, session_scope
from townhall_policy.domains.models import Domain
from townhall_policy.holdings.directory.models import GroupMembership, Subject
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.seed import seed_demo


def _counts(database_url: str) -> tuple[int, ...]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return tuple(
                int(session.exec(select(func.count()).select_from(table)).one())
                for table in (Subject, GroupMembership, Domain, Grant)
            )
    finally:
        engine.dispose()


def _seed(database_url: str) -> Any:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return seed_demo(session)
    finally:
        engine.dispose()


def test_the_seed_writes_the_demo_directory(seeded_url: str) -> None:
    subjects, memberships, domains, grants = _counts(seeded_url)
    expected_grants = sum(len(u.org_roles) for u in demo.USERS) + sum(
        len(s.members) + 1 for s in demo.SPACES
    )

    assert subjects == len(demo.USERS) + len(demo.GROUPS)
    assert memberships == sum(len(m) for m in demo.GROUPS.values())
    assert domains == 1 + len(demo.SPACES)
    assert grants == expected_grants


def test_seeding_twice_changes_nothing(seeded_url: str) -> None:
    before = _counts(seeded_url)

    report = _seed(seeded_url)

    assert not report.changed
    assert report.grants_created == 0
    assert report.users_existing == len(demo.USERS)
    assert _counts(seeded_url) == before
    assert _seed(seeded_url).policy_revision == report.policy_revision


def test_the_seed_does_not_undo_a_revocation(api: Any, seeded_url: str) -> None:
    listed = api.client.get(
        "/v1/grants",
        params={"subject": "bob", "role": "member", "domain": "space:engineering"},
        headers=api.user("paul"),
    ).json()["grants"]
    api.revoke(listed[0]["id"])

    report = _seed(seeded_url)

    assert report.grants_created == 0
    grants = api.client.get(
        "/v1/grants",
        params={"subject": "bob", "role": "member", "domain": "space:engineering"},
        headers=api.user("paul"),
    ).json()["grants"]
    assert [g["active"] for g in grants] == [False]
