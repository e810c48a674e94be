"""All SQL about spaces."""

from __future__ import annotations

from sqlmodel import Session, col, select

from .models import Space, SpaceFollow


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

    def followed_by(self, user_id: str) -> set[str]:
        """The ids of the spaces `user_id` follows."""
        statement = select(SpaceFollow.space_id).where(col(SpaceFollow.user_id) == user_id)
        return set(self._session.exec(statement))

    def follow(self, space_id: str, user_id: str) -> bool:
        """Follow; False when already following (nothing written)."""
        if self._session.get(SpaceFollow, (space_id, user_id)) is not None:
            return False
        self._session.add(SpaceFollow(space_id=space_id, user_id=user_id))
        self._session.flush()
        return True

    def unfollow(self, space_id: str, user_id: str) -> bool:
        """Stop following; False when not following."""
        follow = self._session.get(SpaceFollow, (space_id, user_id))
        if follow is None:
            return False
        self._session.delete(follow)
        self._session.flush()
        return True
