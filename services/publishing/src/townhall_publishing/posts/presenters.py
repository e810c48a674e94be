"""Posts as the API answers them, with their reaction counts and the caller's acknowledgement."""

from __future__ import annotations

from collections.abc import Sequence, Set

from sqlmodel import Session

from ..engagement.models import Acknowledgement
from ..engagement.service import reaction_counts
from .lifecycle import NewPost
from .models import Post
from .schemas import PostRead


def present_posts(
    session: Session, posts: Sequence[Post], *, acknowledged: Set[str] | None = None
) -> list[PostRead]:
    """The posts with their reaction counts (one query for the lot); `acknowledged`, the
    ids the caller acknowledged, when the query that found the posts told."""
    counts = reaction_counts(session, [post.id for post in posts])
    answers = []
    for post in posts:
        answer = PostRead.model_validate(post)
        answer.reactions = counts.get(post.id, {})
        if acknowledged is not None:
            answer.acknowledged = post.id in acknowledged
        answers.append(answer)
    return answers


def present_post(session: Session, post: Post, *, reader: str | None = None) -> PostRead:
    """One post; with `reader`, whether they acknowledged it (a primary-key lookup)."""
    acknowledged = None
    if reader is not None:
        acknowledged = (
            {post.id} if session.get(Acknowledgement, (post.id, reader)) is not None else set()
        )
    return present_posts(session, [post], acknowledged=acknowledged)[0]


def present_new_post(new: NewPost) -> PostRead:
    """A post created by this request: nobody reacted to it yet (no query). Read from the
    row it was written with: a dict validates faster than the model's attributes."""
    return PostRead.model_validate(new.post_row)
