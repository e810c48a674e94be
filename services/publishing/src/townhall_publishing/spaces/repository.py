"""All SQL about spaces."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from .models import Space


@dataclass(frozen=True, slots=True)
class SpaceFacts:
    """What a new post needs of its space, read without loading the ORM object (which
    took a tenth of creating a post)."""

    id: str
    kind: str
    visibility: str
    archived_at: datetime | None


_COLUMNS = (col(Space.id), col(Space.kind), col(Space.visibility), col(Space.archived_at))
_FACTS = core_select(*_COLUMNS).where(col(Space.id) == bindparam("space_id"))
_FACTS_OF = core_select(*_COLUMNS).where(col(Space.id).in_(bindparam("space_ids", expanding=True)))
# PostgreSQL: a change of the spaces (visibility, archiving) waits for the transaction,
# which thus writes readers from the spaces as they are (SQLite has one writer: see
# `posts.lifecycle.write_new_posts`).
_FACTS_OF_SHARED = _FACTS_OF.with_for_update(read=True)


class SpaceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, space_id: str) -> Space | None:
        return self._session.get(Space, space_id)

    def facts(self, space_id: str) -> SpaceFacts | None:
        row = self._session.connection().execute(_FACTS, {"space_id": space_id}).first()
        return SpaceFacts(*row) if row is not None else None

    def facts_of(
        self, space_ids: Collection[str], *, share_lock: bool = False
    ) -> dict[str, SpaceFacts]:
        """`facts` of several spaces in one query, by id (missing ones left out)."""
        statement = _FACTS_OF_SHARED if share_lock else _FACTS_OF
        rows = self._session.connection().execute(statement, {"space_ids": list(space_ids)})
        return {row[0]: SpaceFacts(*row) for row in rows}

    def list_active(self) -> list[Space]:
        """Spaces not archived, by id."""
        statement = select(Space).where(col(Space.archived_at).is_(None)).order_by(col(Space.id))
        return list(self._session.exec(statement))

    def list_visible_candidates(self, *, include_archived: bool) -> list[Space]:
        return self.list_all() if include_archived else self.list_active()

    def list_all(self) -> list[Space]:
        """Every space, archived too, by id."""
        return list(self._session.exec(select(Space).order_by(col(Space.id))))

    def add(self, space: Space) -> None:
        self._session.add(space)
        self._session.flush()
