"""All SQL about spaces."""

from __future__ import annotations

from sqlmodel import Session, col, select

from .models import Space


class SpaceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, space_id: str) -> Space | None:
        return self._session.get(Space, space_id)

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
