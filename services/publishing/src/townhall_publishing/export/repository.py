"""All SQL of the export: posts and comments in id order, with their spaces."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..outbox.models import OutboxEvent
from ..posts.models import Comment, Post
from ..spaces.models import Space


class ExportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def count(self) -> int:
        posts = self._session.exec(select(func.count()).select_from(Post)).one()
        comments = self._session.exec(select(func.count()).select_from(Comment)).one()
        return int(posts) + int(comments)

    def posts_after(self, after: str | None, limit: int) -> list[tuple[Post, Space]]:
        query = select(Post, Space).join(Space, col(Space.id) == col(Post.space_id))
        if after is not None:
            query = query.where(col(Post.id) > after)
        rows = self._session.exec(query.order_by(col(Post.id)).limit(limit)).all()
        return [(post, space) for post, space in rows]

    def comments_after(self, after: str | None, limit: int) -> list[tuple[Comment, Post, Space]]:
        query = (
            select(Comment, Post, Space)
            .join(Post, col(Post.id) == col(Comment.post_id))
            .join(Space, col(Space.id) == col(Post.space_id))
        )
        if after is not None:
            query = query.where(col(Comment.id) > after)
        rows = self._session.exec(query.order_by(col(Comment.id)).limit(limit)).all()
        return [(comment, post, space) for comment, post, space in rows]

    def outbox_head(self) -> int:
        """The newest event id written, 0 when none."""
        return int(self._session.exec(select(func.max(OutboxEvent.id))).one() or 0)

    def delivered_through(self) -> int:
        """The last document event id published: the relay publishes in id order, so
        every event before the first pending one was published. Only document events
        count, the ones search's index holds (its watermark is the last it applied)."""
        pending = self._session.exec(
            select(func.min(OutboxEvent.id)).where(col(OutboxEvent.delivered_at).is_(None))
        ).one()
        published = select(func.max(OutboxEvent.id)).where(col(OutboxEvent.doc_id).is_not(None))
        if pending is not None:
            published = published.where(col(OutboxEvent.id) < pending)
        return int(self._session.exec(published).one() or 0)

    def documents_through(self, through: int) -> int:
        """How many documents the events up to `through` name (each counted once)."""
        distinct = func.count(func.distinct(OutboxEvent.doc_id))
        return int(self._session.exec(select(distinct).where(col(OutboxEvent.id) <= through)).one())
