"""The feed query: readers filtered inside SQL, so pages are full and counts honest."""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from ..engagement.models import Acknowledgement
from ..posts.lifecycle import FEED_STATES
from ..posts.models import Post, PostReader
from .cursor import FeedCursor


def feed_rank(post: Post) -> int:
    """Pinned first, then official, then social (stored with the post)."""
    return post.feed_rank


class FeedRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(
        self,
        *,
        principals: Set[str],
        reader: str,
        after: FeedCursor | None,
        limit: int,
        space_id: str | None = None,
    ) -> list[tuple[Post, bool]]:
        """Up to `limit` posts readable by `principals`, after `after`, each with whether
        `reader` acknowledged it (a column of the same query, not one query per post).

        Published posts, and hidden ones (whose readers are only their author and
        moderators, so the readers filter keeps them from everyone else).
        """
        if not principals:
            return []
        readable = exists().where(
            col(PostReader.post_id) == col(Post.id),
            col(PostReader.principal).in_(sorted(principals)),
        )
        # `state || ''` keeps SQLite from picking the state index: walking the feed index
        # in order and stopping after a page is what makes a page cost the same at any size.
        acknowledged = (
            exists()
            .where(
                col(Acknowledgement.post_id) == col(Post.id),
                col(Acknowledgement.user_id) == reader,
            )
            .label("acknowledged")
        )
        statement = select(Post, acknowledged).where(
            col(Post.state).concat("").in_(FEED_STATES), readable
        )
        if space_id is not None:
            statement = statement.where(col(Post.space_id) == space_id)
        if after is not None:
            rank = col(Post.feed_rank)
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
            col(Post.feed_rank), col(Post.published_at).desc(), col(Post.id).desc()
        ).limit(limit)
        return [(post, bool(done)) for post, done in self._session.exec(statement)]
