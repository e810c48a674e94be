"""The audience roster: the subjects publishing knows, and who among them is an audience."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_contracts.readers import may_read

from ..database import utcnow, write_session
from .models import KnownSubject


class Roster:
    """Notes subjects as they use publishing, in memory at once, in the table soon after.

    Noting happens inside requests (even writing ones, which on SQLite hold the only
    write transaction), so the table is written later by `flush()`, from a background
    thread; `subjects()` answers the table and what is still waiting.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._known: set[str] = set()
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    def note(self, subject: str) -> None:
        with self._lock:
            if subject not in self._known:
                self._known.add(subject)
                self._pending.add(subject)

    def flush(self) -> int:
        """Write the subjects noted since the last flush (idempotent); answers how many."""
        with self._lock:
            fresh = sorted(self._pending)
            self._pending.clear()
        if not fresh:
            return 0
        rows = [{"subject_id": s, "first_seen_at": utcnow()} for s in fresh]
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        try:
            with write_session(self._engine) as session:
                session.execute(insert(KnownSubject).values(rows).on_conflict_do_nothing())
        except Exception:
            with self._lock:
                self._pending.update(fresh)
            raise
        return len(fresh)

    def subjects(self, session: Session) -> list[str]:
        """Every subject known, by id."""
        with self._lock:
            pending = set(self._pending)
        return sorted(set(known_subjects(session)) | pending)


def known_subjects(session: Session) -> list[str]:
    """Every subject of the roster table, by id."""
    statement = select(KnownSubject.subject_id).order_by(col(KnownSubject.subject_id))
    return list(session.exec(statement))


def audience_of(
    readers: Sequence[str], subjects: Iterable[str], principals: dict[str, frozenset[str]]
) -> list[str]:
    """The subjects whose principals meet `readers` (the audience of a published post)."""
    return [s for s in subjects if may_read(principals.get(s, frozenset()), readers)]
