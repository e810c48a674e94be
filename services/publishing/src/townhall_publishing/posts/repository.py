"""All SQL about posts, their readers, versions, steps and comments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, func, insert, literal
from sqlmodel import Session, col, select

from townhall_contracts.readers import PostState
from townhall_contracts.search import ATTACHMENT_TEXT_MAX_CHARS

from .models import (
    Acknowledgement,
    Comment,
    Post,
    PostMedia,
    PostReader,
    PostStep,
    PostVersion,
    Reaction,
)

# Reader rows go in as one multi-row insert: as ORM objects each would be built and
# tracked by the session for nothing, since nothing reads them back in the request.
_INSERT_READERS = insert(PostReader.__table__)  # type: ignore[attr-defined]
_INSERT_POST = insert(Post.__table__)  # type: ignore[attr-defined]
_INSERT_STEP = insert(PostStep.__table__)  # type: ignore[attr-defined]


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

    def add(self, post: Post, *steps: PostStep) -> None:
        """Insert a new post, its first steps, and the reader rows mirroring its `readers`.

        Plain inserts of the objects' columns: a new post is not read back or changed
        again in its request, so the session need not track it (no unit-of-work flush).
        """
        self._session.execute(_INSERT_POST, _columns(post))
        if steps:
            self._session.execute(_INSERT_STEP, [_columns(step) for step in steps])
        self._insert_readers(post.id, post.readers)

    def set_readers(self, post: Post, readers: list[str]) -> None:
        """Replace a post's readers and the rows mirroring them."""
        post.readers = readers
        self._session.execute(delete(PostReader).where(col(PostReader.post_id) == post.id))
        self._insert_readers(post.id, readers)

    def _insert_readers(self, post_id: str, readers: Sequence[str]) -> None:
        if readers:
            rows = [{"post_id": post_id, "principal": principal} for principal in readers]
            self._session.execute(_INSERT_READERS, rows)

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

    def media(self, post_id: str) -> list[PostMedia]:
        """The post's live attachments, oldest first."""
        statement = (
            select(PostMedia)
            .where(col(PostMedia.post_id) == post_id, col(PostMedia.deleted_at).is_(None))
            .order_by(col(PostMedia.created_at), col(PostMedia.id))
        )
        return list(self._session.exec(statement))

    def media_texts(self, post_ids: Sequence[str]) -> dict[str, str]:
        """Per post, the text of its live attachments (oldest first), for its search document."""
        if not post_ids:
            return {}
        statement = (
            select(PostMedia.post_id, PostMedia.text)
            .where(
                col(PostMedia.post_id).in_(list(post_ids)),
                col(PostMedia.deleted_at).is_(None),
                col(PostMedia.text) != "",
            )
            .order_by(col(PostMedia.created_at), col(PostMedia.id))
        )
        texts: dict[str, list[str]] = {}
        for post_id, text in self._session.exec(statement):
            texts.setdefault(post_id, []).append(text)
        return {
            post_id: "\n\n".join(parts)[:ATTACHMENT_TEXT_MAX_CHARS]
            for post_id, parts in texts.items()
        }

    def steps(self, post_id: str) -> list[PostStep]:
        statement = (
            select(PostStep).where(col(PostStep.post_id) == post_id).order_by(col(PostStep.id))
        )
        return list(self._session.exec(statement))


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


# Built once: a feed page asks it every time.
_REACTION_COUNTS = (
    select(Reaction.post_id, Reaction.kind, func.count())
    .where(col(Reaction.post_id).in_(bindparam("post_ids", expanding=True)))
    .group_by(col(Reaction.post_id), col(Reaction.kind))
)


# Built once: every read of a post asks it.
_ACKNOWLEDGED = select(literal(1)).where(
    col(Acknowledgement.post_id) == bindparam("post_id"),
    col(Acknowledgement.user_id) == bindparam("user_id"),
)


class AcknowledgementRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def acknowledged(self, post_id: str, user_id: str) -> bool:
        """Whether `user_id` acknowledged the post: a row, not an ORM object, is asked."""
        found = self._session.connection().execute(
            _ACKNOWLEDGED, {"post_id": post_id, "user_id": user_id}
        )
        return found.first() is not None


class ReactionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def counts(self, post_ids: Sequence[str]) -> dict[str, dict[str, int]]:
        """Per post, the number of reactions of each kind."""
        if not post_ids:
            return {}
        counts: dict[str, dict[str, int]] = {}
        rows = self._session.connection().execute(_REACTION_COUNTS, {"post_ids": list(post_ids)})
        for post_id, kind, count in rows:
            counts.setdefault(post_id, {})[kind] = int(count)
        return counts

    def kinds_of(self, post_id: str, user_id: str) -> list[str]:
        """The kinds of reaction `user_id` gave the post."""
        statement = select(Reaction.kind).where(
            col(Reaction.post_id) == post_id, col(Reaction.user_id) == user_id
        )
        return sorted(self._session.exec(statement))


def _columns(row: Post | PostStep) -> dict[str, object]:
    """The column values of a new row; a primary key still unset is the database's to give."""
    table = type(row).__table__  # type: ignore[union-attr]
    values = {column.key: getattr(row, column.key) for column in table.columns}
    return {key: value for key, value in values.items() if value is not None or key != "id"}
