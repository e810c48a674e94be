"""What every change of a post or comment does besides itself.

A change recomputes the readers through the shared rule, bumps the version, records
the step with the policy decision behind it, and writes outbox events (the post's,
and its comments' when the post's readers changed), all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import Decision
from townhall_contracts.readers import PostState

from ..outbox.repository import OutboxRepository
from ..spaces.models import Space
from .documents import comment_document, post_document, readers_of_comment, readers_of_post
from .models import Comment, FeedRank, Post, PostKind, PostStep
from .repository import CommentRepository, PostRepository

# States in which a post shows in feeds (to its readers: hidden ones to author and moderators).
FEED_STATES = (PostState.PUBLISHED.value, PostState.HIDDEN.value)


def feed_rank_of(post: Post) -> int:
    """Pinned first, then official, then social."""
    if post.pinned_at is not None:
        return FeedRank.PINNED
    return FeedRank.OFFICIAL if post.kind == PostKind.OFFICIAL else FeedRank.SOCIAL


def record_step(
    session: Session,
    *,
    post: Post,
    step: str,
    actor: str,
    at: datetime,
    decision: Decision | None = None,
    note: str | None = None,
    ends: PostStep | None = None,
) -> PostStep:
    """Keep the step, the revision of the text it was taken at and the decision that
    allowed it, with the post, for the record; `ends`, the endorsement or pin it ends."""
    row = PostStep(
        post_id=post.id,
        step=step,
        actor_id=actor,
        action=decision.action if decision else None,
        decision_id=decision.decision_id if decision else None,
        policy_revision=decision.policy_revision if decision else None,
        note=note,
        at=at,
        revision=post.revision,
        ends_step_id=ends.id if ends is not None else None,
    )
    PostRepository(session).add_step(row)
    if decision is not None:
        post.decision_id = decision.decision_id
        post.policy_revision = decision.policy_revision
    return row


def post_changed(
    session: Session,
    *,
    post: Post,
    space: Space,
    at: datetime,
    comments_changed: Sequence[Comment] = (),
) -> None:
    """After a change of the post: new readers and rank, a new version, outbox events.

    Comments follow their post's readers: when those change, each comment gets a new
    version too, so search never shows a comment of a post its reader may not read.
    `comments_changed` get a new version anyway (official answers an edit left behind).
    """
    post.feed_rank = feed_rank_of(post)
    post.version += 1
    post.updated_at = at
    readers = readers_of_post(post, space)
    readers_changed = readers != list(post.readers)
    if readers_changed:
        PostRepository(session).set_readers(post, readers)
    outbox = OutboxRepository(session)
    comments = CommentRepository(session).of_post(post.id) if readers_changed else []
    changed = {comment.id for comment in comments_changed}
    known = {comment.id for comment in comments}
    comments += [comment for comment in comments_changed if comment.id not in known]
    for comment in comments:
        comment_readers = readers_of_comment(comment, post, space)
        if comment_readers != list(comment.readers) or comment.id in changed:
            comment.readers = comment_readers
            comment.version += 1
            comment.updated_at = at
    session.flush()
    attachment_text = PostRepository(session).media_texts([post.id]).get(post.id, "")
    outbox.append_upsert(
        document=post_document(post, space, attachment_text=attachment_text),
        version=post.version,
    )
    for comment in comments:
        outbox.append_upsert(
            document=comment_document(comment, post, space), version=comment.version
        )


def comment_changed(
    session: Session, *, comment: Comment, post: Post, space: Space, at: datetime
) -> None:
    """After a change of a comment: its readers, a new version, its outbox event."""
    comment.readers = readers_of_comment(comment, post, space)
    comment.version += 1
    comment.updated_at = at
    session.flush()
    OutboxRepository(session).append_upsert(
        document=comment_document(comment, post, space), version=comment.version
    )


def follow_space(session: Session, space: Space, at: datetime) -> None:
    """After a change of the space's visibility: each of its posts gets its readers
    decided again (`post_changed`)."""
    for post in PostRepository(session).in_space(space.id):
        post_changed(session, post=post, space=space, at=at)
