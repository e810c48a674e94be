"""Expand reader principals into the active users that hold any of them.

The reverse of `principals_of`, computed from it over the snapshot's active users so
that both always agree (the readers rule in `townhall_contracts.readers`). Groups are
not readers themselves: their members are.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from townhall_contracts.policy import Audience, GroupList, GroupSummary, GroupType
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.principals.service import principals_of

_USER = "user"


def audience_of(snapshot: PolicySnapshot, principals: Iterable[str]) -> Audience:
    """The active users whose principals meet `principals`, sorted, at the snapshot's revision."""
    wanted = frozenset(principals)
    subjects = sorted(
        subject.id
        for subject in snapshot.subjects.values()
        if subject.kind == _USER
        and subject.active
        and not wanted.isdisjoint(principals_of(snapshot, subject.id).principals)
    )
    return Audience(principals=sorted(wanted), subjects=subjects, policy_revision=snapshot.revision)


def groups_of_type(session: Session, group_type: GroupType | None) -> GroupList:
    """The active directory groups (of one type if given): breakdowns are drawn over them."""
    rows = directory.active_groups(session, group_type.value if group_type else None)
    return GroupList(
        groups=[
            GroupSummary(id=g.id, display_name=g.display_name, group_type=g.group_type)
            for g in rows
        ]
    )
