"""The feed query: readers filtered inside SQL, so pages are full and counts honest."""

from __future__ import annotations

import functools
from collections.abc import Sequence, Set
from typing import Any

from sqlalchemy import Column, RowMapping, Select, and_, bindparam, exists, or_, select
from sqlmodel import Session, col

from ..posts.lifecycle import FEED_STATES
from ..posts.models import Acknowledgement, Post, PostReader
from ..posts.schemas import PostRead
from .cursor import FeedCursor

_POSTS = Post.__table__  # type: ignore[attr-defined]


def _item_columns() -> list[Column[object]]:
    """The columns a feed item shows (`PostRead`'s fields stored as such), and the rank
    the cursor needs: a page reads these, not whole `Post` objects."""
    names = [str(field.validation_alias or name) for name, field in PostRead.model_fields.items()]
    return [_POSTS.c[name] for name in [*names, "feed_rank"] if name in _POSTS.c]


_ITEM_COLUMNS = _item_columns()


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
    ) -> Sequence[RowMapping]:
        """Up to `limit` posts readable by `principals`, after `after`: the columns of
        `PostRead`, `feed_rank`, and `acknowledged` (whether `reader` acknowledged the
        post: a column of the same query, not one query per post).

        Published posts, and hidden ones (whose readers are only their author and
        moderators, so the readers filter keeps them from everyone else). A Core query:
        a page needs rows, not ORM objects.
        """
        if not principals:
            return []
        params: dict[str, object] = {
            "principals": sorted(principals),
            "reader": reader,
            "limit": limit,
        }
        if space_id is not None:
            params["space_id"] = space_id
        if after is not None:
            params.update(
                after_rank=after.rank,
                after_published_at=after.published_at,
                after_id=after.post_id,
            )
        statement = _page_statement(in_space=space_id is not None, after=after is not None)
        return self._session.connection().execute(statement, params).mappings().all()


@functools.cache
def _page_statement(*, in_space: bool, after: bool) -> Select[*tuple[Any, ...]]:
    """The page query of each shape, built once with bound parameters (not for every
    request)."""
    readable = exists().where(
        col(PostReader.post_id) == col(Post.id),
        col(PostReader.principal).in_(bindparam("principals", expanding=True)),
    )
    acknowledged = (
        exists()
        .where(
            col(Acknowledgement.post_id) == col(Post.id),
            col(Acknowledgement.user_id) == bindparam("reader"),
        )
        .label("acknowledged")
    )
    # `state || ''` keeps SQLite from picking the state index: walking the feed index
    # in order and stopping after a page is what makes a page cost the same at any size.
    statement = select(*_ITEM_COLUMNS, acknowledged).where(
        col(Post.state).concat("").in_(FEED_STATES), readable
    )
    if in_space:
        statement = statement.where(col(Post.space_id) == bindparam("space_id"))
    if after:
        rank = col(Post.feed_rank)
        published_at = col(Post.published_at)
        statement = statement.where(
            or_(
                rank > bindparam("after_rank"),
                and_(
                    rank == bindparam("after_rank"),
                    or_(
                        published_at < bindparam("after_published_at"),
                        and_(
                            published_at == bindparam("after_published_at"),
                            col(Post.id) < bindparam("after_id"),
                        ),
                    ),
                ),
            )
        )
    return statement.order_by(
        col(Post.feed_rank), col(Post.published_at).desc(), col(Post.id).desc()
    ).limit(bindparam("limit"))
