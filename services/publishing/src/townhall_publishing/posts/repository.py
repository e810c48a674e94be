"""All SQL about posts, their readers, versions, steps and comments."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, text
from sqlmodel import Session, col, select

from townhall_contracts.policy import Decision
from townhall_contracts.readers import PostState

from .models import Comment, Post, PostReader, PostStep, PostVersion

# A post's reader rows in one statement of one shape, whatever their number: SQLAlchemy
# compiled a multi-row VALUES insert again on every call (it has no cache key).
_INSERT_READERS = {
    "sqlite": text(
        "INSERT INTO post_readers (post_id, principal) "
        "SELECT :post_id, value FROM json_each(:principals)"
    ),
    "postgresql": text(
        "INSERT INTO post_readers (post_id, principal) "
        "SELECT :post_id, unnest(CAST(:principals AS text[]))"
    ),
}


class PostRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, post_id: str) -> Post | None:
        return self._session.get(Post, post_id)

    def get_for_update(self, post_id: str) -> Post | None:
        """The post, locked until commit on PostgreSQL (concurrent steps queue up)."""
        statement = (
            select(Post)
            .where(col(Post.id) == post_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self._session.exec(statement).first()

    def add(self, post: Post) -> None:
        """Insert a post with the reader rows mirroring its `readers`."""
        self._session.add(post)
        self._session.add_all(
            PostReader(post_id=post.id, principal=principal) for principal in post.readers
        )

    def insert_new(self, rows: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Write new posts (each a post row and its first step: `new_post_row`, `first_step_row`)
        with the reader rows mirroring their readers: one executemany per table for all
        of them (the ORM's unit of work took a third of creating a post)."""
        if not rows:
            return
        connection = self._session.connection()
        sqlite = connection.dialect.name == "sqlite"
        connection.execute(_INSERT_POST, [post for post, _ in rows])
        readers = [
            {
                "post_id": post["id"],
                "principals": json.dumps(post["readers"]) if sqlite else post["readers"],
            }
            for post, _ in rows
            if post["readers"]
        ]
        if readers:
            connection.execute(_INSERT_READERS[connection.dialect.name], readers)
        connection.execute(_INSERT_STEP, [step for _, step in rows])

    def set_readers(self, post: Post, readers: list[str], *, new: bool = False) -> None:
        """Replace a post's readers and the rows mirroring them (a `new` post has none yet)."""
        post.readers = readers
        if not new:
            self._session.execute(delete(PostReader).where(col(PostReader.post_id) == post.id))
        self._session.add_all(PostReader(post_id=post.id, principal=p) for p in readers)

    def in_space(self, space_id: str) -> list[Post]:
        return list(self._session.exec(select(Post).where(col(Post.space_id) == space_id)))

    def by_ids(self, post_ids: Sequence[str]) -> dict[str, Post]:
        if not post_ids:
            return {}
        posts = self._session.exec(select(Post).where(col(Post.id).in_(list(post_ids))))
        return {post.id: post for post in posts}

    def add_version(self, version: PostVersion) -> None:
        self._session.add(version)

    def versions(self, target_id: str) -> list[PostVersion]:
        statement = (
            select(PostVersion)
            .where(col(PostVersion.target_id) == target_id)
            .order_by(col(PostVersion.revision))
        )
        return list(self._session.exec(statement))

    def add_step(self, step: PostStep) -> None:
        self._session.add(step)

    def step(self, step_id: int) -> PostStep | None:
        return self._session.get(PostStep, step_id)

    def last_step(self, post_id: str, step: str) -> PostStep | None:
        """The latest step `step` of a post (the one behind its current endorsement or pin)."""
        statement = (
            select(PostStep)
            .where(col(PostStep.post_id) == post_id, col(PostStep.step) == step)
            .order_by(col(PostStep.id).desc())
            .limit(1)
        )
        return self._session.exec(statement).first()

    def steps(self, post_id: str) -> list[PostStep]:
        statement = (
            select(PostStep).where(col(PostStep.post_id) == post_id).order_by(col(PostStep.id))
        )
        return list(self._session.exec(statement))


_POSTS = Post.__table__  # type: ignore[attr-defined]
_STEPS = PostStep.__table__  # type: ignore[attr-defined]
_INSERT_POST = insert(_POSTS)
_INSERT_STEP = insert(_STEPS)


def new_post_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """A new post's row for `insert_new`: `values` over the model's defaults. A dict, not
    a `Post`: building the ORM instance cost half a millisecond, a tenth of a request."""
    missing = _REQUIRED_COLUMNS.difference(values)
    if missing:  # no default for these: the insert would fail, later, in the writer's turn
        raise ValueError(f"A new post needs its {', '.join(sorted(missing))}.")
    row = {name: field.get_default(call_default_factory=True) for name, field in _POST_FIELDS}
    row.update(values)
    return row


def first_step_row(
    *, post_id: str, step: str, actor: str, at: datetime, decision: Decision
) -> dict[str, Any]:
    """The row of a new post's first step (`PostStep`, its id left to the database)."""
    return {
        "post_id": post_id,
        "step": step,
        "actor_id": actor,
        "action": decision.action,
        "decision_id": decision.decision_id,
        "policy_revision": decision.policy_revision,
        "note": None,
        "at": at,
        "revision": 1,
        "ends_step_id": None,
    }


_POST_FIELDS = [(column.name, Post.model_fields[column.name]) for column in _POSTS.columns]
_REQUIRED_COLUMNS = frozenset(name for name, field in _POST_FIELDS if field.is_required())


class CommentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, comment: Comment) -> None:
        self._session.add(comment)

    def get(self, comment_id: str) -> Comment | None:
        return self._session.get(Comment, comment_id)

    def of_post(self, post_id: str) -> list[Comment]:
        statement = (
            select(Comment)
            .where(col(Comment.post_id) == post_id)
            .order_by(col(Comment.created_at), col(Comment.id))
        )
        return list(self._session.exec(statement))

    def official_answers(self, post_id: str, *, post_revision: int) -> list[Comment]:
        """The live official answers of a post written under its revision `post_revision`."""
        statement = select(Comment).where(
            col(Comment.post_id) == post_id,
            col(Comment.official).is_(True),
            col(Comment.post_revision) == post_revision,
            col(Comment.state) == PostState.PUBLISHED.value,
        )
        return list(self._session.exec(statement))

    def live_count(self, post_id: str) -> int:
        statement = select(func.count()).where(
            col(Comment.post_id) == post_id, col(Comment.deleted_at).is_(None)
        )
        return int(self._session.exec(statement).one())
