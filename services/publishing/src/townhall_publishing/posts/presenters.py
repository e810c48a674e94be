"""Posts as the API answers them, with their reaction counts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from ..engagement.service import reaction_counts
from .models import Post
from .schemas import PostRead


def present_posts(session: Session, posts: Sequence[Post]) -> list[PostRead]:
    """The posts with their reaction counts (one query for the lot)."""
    counts = reaction_counts(session, [post.id for post in posts])
    answers = []
    for post in posts:
        answer = PostRead.model_validate(post)
        answer.reactions = counts.get(post.id, {})
        answers.append(answer)
    return answers


def present_post(session: Session, post: Post) -> PostRead:
    return present_posts(session, [post])[0]


def present_new_post(post: Post) -> PostRead:
    """A post created by this request: nobody reacted to it yet (no query)."""
    return PostRead.model_validate(post)
