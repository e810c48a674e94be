"""All SQL of the indicators: what went out in a period, its comments, views and
acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from townhall_contracts.readers import PostState

from ..posts.models import Acknowledgement, Comment, Post, PostView

# Posts that count as having been out: published, later hidden, retracted or deleted.
_WENT_OUT = (
    PostState.PUBLISHED.value,
    PostState.HIDDEN.value,
    PostState.RETRACTED.value,
    PostState.DELETED.value,
)


class IndicatorsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def posts_out(self, *, since: datetime, until: datetime, space_id: str | None) -> list[Post]:
        """The posts published in [since, until) (in one space, if given), since changed or not."""
        statement = select(Post).where(
            col(Post.published_at) >= since,
            col(Post.published_at) < until,
            col(Post.state).in_(_WENT_OUT),
        )
        if space_id is not None:
            statement = statement.where(col(Post.space_id) == space_id)
        return list(self._session.exec(statement))

    def comment_counts(
        self, *, since: datetime, until: datetime, space_id: str | None
    ) -> list[tuple[bool, int, str]]:
        """Comments written in [since, until): (official answer, count, author) rows."""
        statement = (
            select(Comment.official, func.count(), Comment.author_id)
            .join(Post, col(Post.id) == col(Comment.post_id))
            .where(col(Comment.created_at) >= since, col(Comment.created_at) < until)
            .group_by(col(Comment.official), col(Comment.author_id))
        )
        if space_id is not None:
            statement = statement.where(col(Post.space_id) == space_id)
        return [
            (bool(official), int(count), author)
            for official, count, author in self._session.exec(statement)
        ]

    def viewers(self, post_ids: Sequence[str]) -> set[tuple[str, str]]:
        """(post, user) of each first view written for these posts."""
        if not post_ids:
            return set()
        statement = select(PostView.post_id, PostView.user_id).where(
            col(PostView.post_id).in_(list(post_ids))
        )
        return set(self._session.exec(statement))

    def acknowledgements(self, post_ids: Sequence[str]) -> list[Acknowledgement]:
        if not post_ids:
            return []
        statement = select(Acknowledgement).where(col(Acknowledgement.post_id).in_(list(post_ids)))
        return list(self._session.exec(statement))

    def with_live_comments(self, post_ids: Sequence[str]) -> set[str]:
        """Those of these posts with a comment not deleted."""
        if not post_ids:
            return set()
        statement = (
            select(Comment.post_id)
            .where(col(Comment.post_id).in_(list(post_ids)), col(Comment.deleted_at).is_(None))
            .distinct()
        )
        return set(self._session.exec(statement))
