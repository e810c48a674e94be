"""All SQL about posts, their readers and their comments."""

from __future__ import annotations

from sqlmodel import Session

from .models import Comment, Post, PostReader


class PostRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, post_id: str) -> Post | None:
        return self._session.get(Post, post_id)

    def add(self, post: Post) -> None:
        """Insert a post with the reader rows mirroring its `readers`."""
        self._session.add(post)
        self._session.add_all(
            PostReader(post_id=post.id, principal=principal) for principal in post.readers
        )


class CommentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, comment: Comment) -> None:
        self._session.add(comment)
