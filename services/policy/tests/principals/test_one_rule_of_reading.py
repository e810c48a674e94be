"""One rule of reading: policy's `read` decision in a space says what the readers rule
says of a post published there, for the principals policy answers.

Random grants (to users and groups, org and space roles), group memberships and
suspensions (written through the service, which refuses what no principal could express)
are laid over the demo directory; for every demo user and every demo space, the decision
`read` in `space:<id>` must equal `may_read(principals, post_readers(...))` computed with
the one readers function of `townhall_contracts.readers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from townhall_contracts import demo
from townhall_contracts.policy import Action
from townhall_contracts.readers import PostState, may_read, post_readers
from townhall_platform.db import make_engine
from townhall_platform.errors import TownhallError
from townhall_policy.decisions.service import check
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.engine.loader import load_policy_data
from townhall_policy.holdings.directory.models import GroupMembership
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.principals.service import principals_of
from townhall_policy.suspensions import service as suspensions

BY = "one-rule-test"
USERS = demo.user_ids()
GROUPS = sorted(demo.GROUPS)
SPACES = [f"space:{space.id}" for space in demo.SPACES]
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
# Reading, everything (None), and actions that must leave reading alone.
SUSPENDED_ACTIONS = [None, "read", "comment", "moderate", "post.social"]

grants = st.one_of(
    st.tuples(st.sampled_from([*USERS, *GROUPS]), st.sampled_from(ORG_ROLES), st.just("org")),
    st.tuples(
        st.sampled_from([*USERS, *GROUPS]), st.sampled_from(SPACE_ROLES), st.sampled_from(SPACES)
    ),
)
memberships = st.tuples(st.sampled_from(GROUPS), st.sampled_from(USERS))
suspended = st.tuples(
    st.sampled_from(USERS),
    st.sampled_from(["org", *SPACES]),
    st.sampled_from(SUSPENDED_ACTIONS),
)


@pytest.fixture(scope="module")
def engine(seeded_url: str) -> Iterator[Engine]:
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()


def _lay(
    engine: Engine,
    granted: list[tuple[str, str, str]],
    joined: list[tuple[str, str]],
    suspended: list[tuple[str, str, str | None]],
) -> list[tuple[str, str]]:
    """Write the example's rows; returns the memberships it added (to take them away)."""
    start = datetime.now(UTC) - timedelta(days=1)
    added: list[tuple[str, str]] = []
    with Session(engine) as session:
        for subject, role, domain in granted:
            session.add(
                Grant(
                    subject_id=subject,
                    role=role,
                    domain=domain,
                    valid_from=start,
                    granted_by=BY,
                    granted_at=start,
                    justification="property test",
                )
            )
        for group, member in set(joined):
            if session.get(GroupMembership, (group, member)) is None:
                session.add(GroupMembership(group_id=group, member_id=member))
                added.append((group, member))
        session.commit()
    for subject, domain, action in suspended:
        with Session(engine) as session:
            try:
                suspensions.suspend(
                    session,
                    subject_id=subject,
                    domain=domain,
                    action=action,
                    created_by=BY,
                    justification="property test",
                )
                session.commit()
            except TownhallError:
                # Refused (a duplicate, the last policy admin, reading in a public
                # space): the property is about what policy accepts.
                session.rollback()
    return added


def _clear(engine: Engine, added: list[tuple[str, str]]) -> None:
    with Session(engine) as session:
        session.exec(delete(Grant).where(col(Grant.granted_by) == BY))  # type: ignore[call-overload]
        session.exec(delete(Suspension).where(col(Suspension.created_by) == BY))  # type: ignore[call-overload]
        for group, member in added:
            membership = session.exec(
                select(GroupMembership).where(
                    col(GroupMembership.group_id) == group,
                    col(GroupMembership.member_id) == member,
                )
            ).one()
            session.delete(membership)
        session.commit()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    granted=st.lists(grants, max_size=8),
    joined=st.lists(memberships, max_size=4),
    suspended=st.lists(suspended, max_size=5),
)
def test_a_read_decision_is_the_readers_rule(
    engine: Engine,
    granted: list[tuple[str, str, str]],
    joined: list[tuple[str, str]],
    suspended: list[tuple[str, str, str | None]],
) -> None:
    added = _lay(engine, granted, joined, suspended)
    try:
        snapshot = PolicySnapshot.build(load_policy_data(engine, now=datetime.now(UTC)))
    finally:
        _clear(engine, added)

    disagreements = []
    for user in USERS:
        principals = principals_of(snapshot, user).principals
        for space in demo.SPACES:
            domain = f"space:{space.id}"
            # An author other than the reader: authorship is no reading right in a space.
            readers = post_readers(
                space_id=space.id,
                visibility=space.visibility,
                state=PostState.PUBLISHED,
                author_id="someone-else",
            )
            decided = check(snapshot, subject=user, action=Action.READ, domain=domain).allowed
            if decided != may_read(principals, readers):
                disagreements.append((user, domain, decided, principals))
    assert disagreements == []
