"""The feed query: readers filtered inside SQL, so pages are full and counts honest."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sqlalchemy import and_, case, exists, or_
from sqlmodel import Session, col, select

from townhall_contracts.readers import PostState

from ..posts.models import Post, PostKind, PostReader
from .cursor import FeedCursor

OFFICIAL_RANK = 0
SOCIAL_RANK = 1


def feed_rank(post: Post) -> int:
    """Official posts come before social ones."""
    return OFFICIAL_RANK if post.kind == PostKind.OFFICIAL else SOCIAL_RANK


class FeedRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(self, *, principals: Set[str], after: FeedCursor | None, limit: int) -> list[Post]:
        """Up to `limit` published posts readable by `principals`, after `after`."""
        if not principals:
            return []
        rank: Any = case(
            (col(Post.kind) == PostKind.OFFICIAL.value, OFFICIAL_RANK), else_=SOCIAL_RANK
        )
        readable = exists().where(
            col(PostReader.post_id) == col(Post.id),
            col(PostReader.principal).in_(sorted(principals)),
        )
        statement = select(Post).where(col(Post.state) == PostState.PUBLISHED.value, readable)
        if after is not None:
            published_at = col(Post.published_at)
            statement = statement.where(
                or_(
                    rank > after.rank,
                    and_(
                        rank == after.rank,
                        or_(
                            published_at < after.published_at,
                            and_(
                                published_at == after.published_at,
                                col(Post.id) < after.post_id,
                            ),
                        ),
                    ),
                )
            )
        statement = statement.order_by(
            rank, col(Post.published_at).desc(), col(Post.id).desc()
        ).limit(limit)
        return list(self._session.exec(statement))
