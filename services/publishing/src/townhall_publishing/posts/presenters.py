"""Posts as the API answers them, with their reaction counts and the caller's acknowledgement."""

from __future__ import annotations

from collections.abc import Sequence, Set

from sqlmodel import Session

from townhall_contracts.publishing.media import MediaRead

from .models import Comment, Post, PostMedia, PostStep
from .repository import AcknowledgementRepository, PostRepository, ReactionRepository
from .schemas import CommentRead, PostRead, PostStepRead, Vouch


def present_posts(
    session: Session, posts: Sequence[Post], *, acknowledged: Set[str] | None = None
) -> list[PostRead]:
    """The posts with their reaction counts (one query for the lot); `acknowledged`, the
    ids the caller acknowledged, when the query that found the posts told."""
    counts = ReactionRepository(session).counts([post.id for post in posts])
    answers = []
    for post in posts:
        answer = PostRead.model_validate(post)
        answer.reactions = counts.get(post.id, {})
        if acknowledged is not None:
            answer.acknowledged = post.id in acknowledged
        answers.append(answer)
    return answers


def present_post(session: Session, post: Post, *, reader: str | None = None) -> PostRead:
    """One post; with `reader`, whether they acknowledged it (a primary-key lookup) and the
    kinds of reaction they gave."""
    acknowledged = None
    if reader is not None:
        acknowledged = (
            {post.id} if AcknowledgementRepository(session).acknowledged(post.id, reader) else set()
        )
    answer = present_posts(session, [post], acknowledged=acknowledged)[0]
    answer.media = [present_media(media) for media in PostRepository(session).media(post.id)]
    if reader is not None:
        answer.my_reactions = ReactionRepository(session).kinds_of(post.id, reader)
    return answer


def present_media(media: PostMedia) -> MediaRead:
    """An attachment, saying whether search has text of it."""
    answer = MediaRead.model_validate(media)
    answer.has_text = bool(media.text)
    return answer


def present_new_post(post: Post) -> PostRead:
    """A post created by this request: nobody reacted to it yet (no query)."""
    return PostRead.model_validate(post)


def present_comment(comment: Comment, post: Post) -> CommentRead:
    """A comment, saying whether its post was edited after it (an official answer then
    answers an earlier revision and no longer vouches for the text shown)."""
    answer = CommentRead.model_validate(comment)
    answer.post_edited_since = comment.post_revision != post.revision
    return answer


def present_steps(steps: Sequence[PostStep]) -> list[PostStepRead]:
    """A post's steps, each one that ends an endorsement or pin naming it."""
    by_id = {step.id: step for step in steps}
    answers = []
    for step in steps:
        answer = PostStepRead.model_validate(step)
        ended = by_id.get(step.ends_step_id) if step.ends_step_id is not None else None
        if ended is not None:
            answer.ends = Vouch(
                by=ended.actor_id,
                at=ended.at,
                revision=ended.revision or 1,
                decision_id=ended.decision_id,
            )
        answers.append(answer)
    return answers
