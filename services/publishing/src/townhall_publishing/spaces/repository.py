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

    def add(self, space: Space) -> None:
        self._session.add(space)
        self._session.flush()
