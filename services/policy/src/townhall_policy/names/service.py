"""Display names of the subjects pages show, and how many people a group reaches.

Any signed-in user may ask: names are what an employee directory shows everyone, and a
page only asks for the ids of content its viewer could read. Inactive subjects are left
out, so an audience naming a departed group is seen as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from townhall_contracts.policy import NamedSubject, Names
from townhall_policy.audiences.service import audience_of
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.directory.models import Subject, SubjectKind


def _active(session: Session, ids: Sequence[str]) -> Sequence[Subject]:
    statement = select(Subject).where(col(Subject.id).in_(sorted(set(ids))), Subject.active)
    return session.exec(statement.order_by(col(Subject.id))).all()


def names_of(session: Session, snapshot: PolicySnapshot, ids: Sequence[str]) -> Names:
    """The active subjects among `ids`; a group with the count of its active members."""
    return _named(snapshot, _active(session, ids))


def groups_named(session: Session, snapshot: PolicySnapshot) -> Names:
    """Every active group with its name and reach: what an audience may be chosen from."""
    return _named(snapshot, directory.active_groups(session, None))


def _named(snapshot: PolicySnapshot, subjects: Sequence[Subject]) -> Names:
    named = []
    for subject in subjects:
        members = None
        if subject.kind == SubjectKind.GROUP:
            # The readers rule's own expansion, so the count is who a post would reach.
            members = len(audience_of(snapshot, [f"group:{subject.id}"]).subjects)
        named.append(
            NamedSubject(
                id=subject.id,
                kind=subject.kind,
                display_name=subject.display_name,
                members=members,
            )
        )
    return Names(subjects=named, policy_revision=snapshot.revision)
