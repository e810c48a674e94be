"""All SQL of the feeds: the tokens, and the official posts a set of principals may read."""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import datetime

from sqlalchemy import RowMapping, exists, select
from sqlmodel import Session, col, func

from ..posts.models import Post, PostReader
from .models import FeedToken

# What an entry of a feed shows: a Core query reads these columns, not whole posts.
_ENTRY_COLUMNS = (
    col(Post.id),
    col(Post.space_id),
    col(Post.title),
    col(Post.body_html),
    col(Post.author_id),
    col(Post.authority),
    col(Post.version),
    col(Post.published_at),
    col(Post.updated_at),
)


class FeedTokenRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, token: FeedToken) -> None:
        self._session.add(token)
        self._session.flush()

    def active_for(self, user_id: str) -> list[FeedToken]:
        """The user's tokens not revoked, newest first."""
        statement = (
            select(FeedToken)
            .where(col(FeedToken.user_id) == user_id, col(FeedToken.revoked_at).is_(None))
            .order_by(col(FeedToken.created_at).desc(), col(FeedToken.id))
        )
        return list(self._session.scalars(statement))

    def count_active(self, user_id: str) -> int:
        statement = select(func.count()).where(
            col(FeedToken.user_id) == user_id, col(FeedToken.revoked_at).is_(None)
        )
        return int(self._session.scalar(statement) or 0)

    def get_owned(self, token_id: str, user_id: str) -> FeedToken | None:
        token = self._session.get(FeedToken, token_id)
        return token if token is not None and token.user_id == user_id else None

    def active_by_hash(self, token_hash: str) -> FeedToken | None:
        statement = select(FeedToken).where(
            col(FeedToken.token_hash) == token_hash, col(FeedToken.revoked_at).is_(None)
        )
        return self._session.scalars(statement).first()

    def revoke(self, token: FeedToken, at: datetime) -> None:
        token.revoked_at = at
        self._session.add(token)
        self._session.flush()


def readable_official_posts(
    session: Session, *, principals: Set[str], space_id: str | None, limit: int
) -> Sequence[RowMapping]:
    """The newest published official posts `principals` may read (the readers rule,
    inside the query), in one space or all."""
    if not principals:
        return []
    readable = exists().where(
        col(PostReader.post_id) == col(Post.id),
        col(PostReader.principal).in_(sorted(principals)),
    )
    statement = select(*_ENTRY_COLUMNS).where(
        col(Post.kind) == "official", col(Post.state) == "published", readable
    )
    if space_id is not None:
        statement = statement.where(col(Post.space_id) == space_id)
    statement = statement.order_by(col(Post.published_at).desc(), col(Post.id).desc()).limit(limit)
    return session.connection().execute(statement).mappings().all()
