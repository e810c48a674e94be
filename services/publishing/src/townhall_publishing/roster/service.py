"""The audience roster: the subjects publishing knows, and who among them is an audience."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_contracts.readers import may_read

from ..database import utcnow
from .models import KnownSubject


class Roster:
    """Notes subjects as they use publishing; each is written once per process at most."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def note(self, subject: str) -> None:
        """Remember `subject` (idempotent; its own short transaction, never the request's)."""
        with self._lock:
            if subject in self._known:
                return
        self.note_many([subject])

    def note_many(self, subjects: Iterable[str]) -> None:
        fresh = sorted(set(subjects))
        rows = [{"subject_id": s, "first_seen_at": utcnow()} for s in fresh]
        if not rows:
            return
        dialect = self._engine.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(KnownSubject).values(rows).on_conflict_do_nothing()
        with self._engine.begin() as connection:
            connection.execute(statement)
        with self._lock:
            self._known.update(fresh)


def known_subjects(session: Session) -> list[str]:
    """Every subject of the roster, by id."""
    statement = select(KnownSubject.subject_id).order_by(col(KnownSubject.subject_id))
    return list(session.exec(statement))


def audience_of(
    readers: Sequence[str], subjects: Iterable[str], principals: dict[str, frozenset[str]]
) -> list[str]:
    """The subjects whose principals meet `readers` (the audience of a published post)."""
    return [s for s in subjects if may_read(principals.get(s, frozenset()), readers)]
