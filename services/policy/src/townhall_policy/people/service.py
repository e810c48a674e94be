"""Finding people to mention."""

from __future__ import annotations

from sqlmodel import Session

from townhall_contracts.people import Person
from townhall_policy.holdings.directory import repository as directory
from townhall_policy.holdings.directory.models import SubjectKind

from .errors import NotInDirectory
from .repository import active_people_by_prefix


def search_people(*, session: Session, caller: str, prefix: str, limit: int) -> list[Person]:
    """Active people whose id or a word of whose name starts with `prefix`; asked by an
    active person of the directory only (a deactivated account looks nobody up)."""
    subject = directory.get_subject(session, caller)
    if subject is None or not subject.active or subject.kind != SubjectKind.USER.value:
        raise NotInDirectory(f"{caller!r} is no active person of the directory.")
    rows = active_people_by_prefix(session, prefix=prefix, limit=limit)
    return [Person(id=person_id, display_name=name) for person_id, name in rows]
