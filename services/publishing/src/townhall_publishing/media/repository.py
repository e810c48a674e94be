"""All SQL about attachments."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..posts.models import PostMedia


class MediaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, media: PostMedia) -> None:
        self._session.add(media)

    def get(self, post_id: str, media_id: str) -> PostMedia | None:
        """The post's live attachment `media_id`, if there is one."""
        media = self._session.get(PostMedia, media_id) if len(media_id) <= 36 else None
        if media is None or media.post_id != post_id or media.deleted_at is not None:
            return None
        return media

    def live_count(self, post_id: str) -> int:
        statement = select(func.count()).where(
            col(PostMedia.post_id) == post_id, col(PostMedia.deleted_at).is_(None)
        )
        return int(self._session.exec(statement).one())
