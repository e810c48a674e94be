"""What every change of a post or comment does besides itself.

A change recomputes the readers through the shared rule, bumps the version, records
the step with the policy decision behind it, and writes outbox events (the post's,
and its comments' when the post's readers changed), all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session

from townhall_contracts.policy import Decision
from townhall_contracts.readers import PostFacts, PostState

from ..group_commit import StaleRead
from ..outbox.documents import (
    comment_document,
    post_document,
    post_row_document,
    readers_of_comment,
    readers_of_post,
)
from ..outbox.repository import OutboxRepository, upsert_event
from ..spaces.models import Space
from ..spaces.repository import SpaceFacts, SpaceRepository
from .models import Comment, FeedRank, Post, PostKind, PostStep
from .repository import CommentRepository, PostRepository, first_step_row, new_post_row

# States in which a post shows in feeds (to its readers: hidden ones to author and moderators).
FEED_STATES = (PostState.PUBLISHED.value, PostState.HIDDEN.value)


def feed_rank_of(post: Post) -> int:
    """Pinned first, then official, then social."""
    return feed_rank(kind=post.kind, pinned=post.pinned_at is not None)


def feed_rank(*, kind: str, pinned: bool) -> int:
    if pinned:
        return FeedRank.PINNED
    return FeedRank.OFFICIAL if kind == PostKind.OFFICIAL else FeedRank.SOCIAL


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


@dataclass(frozen=True)
class NewPost:
    """A post ready to be written: its row, first step and search document, all computed
    before the write (`prepare_new_post`), so the writer's turn covers only the inserts."""

    space: SpaceFacts  # as read: `write_new_posts` checks it still is
    post_row: dict[str, Any]
    step_row: dict[str, Any]
    event_row: dict[str, Any]

    @property
    def id(self) -> str:
        post_id: str = self.post_row["id"]
        return post_id


def prepare_new_post(
    *,
    values: Mapping[str, Any],
    space: SpaceFacts,
    step: str,
    actor: str,
    at: datetime,
    decision: Decision,
) -> NewPost:
    """A new post as version 1, from the `values` of its columns: its readers, rank,
    decision, first step and search document (a new post is never pinned)."""
    row = new_post_row(values)
    row.update(
        feed_rank=feed_rank(kind=row["kind"], pinned=False),
        version=1,
        updated_at=at,
        readers=PostFacts(
            space_id=row["space_id"],
            visibility=space.visibility,
            state=row["state"],
            author_id=row["author_id"],
            official=row["kind"] == PostKind.OFFICIAL,
            audience_groups=row["audience_groups"],
            audience_spaces=row["audience_spaces"],
        ).readers(),
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )
    return NewPost(
        space=space,
        post_row=row,
        step_row=first_step_row(
            post_id=row["id"], step=step, actor=actor, at=at, decision=decision
        ),
        event_row=upsert_event(document=post_row_document(row), version=1),
    )


def write_new_posts(session: Session, news: Sequence[NewPost]) -> None:
    """Write prepared posts with their readers, first steps and outbox events (a group
    of them: `GroupCommit`).

    Raises `StaleRead`, before writing anything, naming the posts whose space changed
    since they were prepared outside this transaction: a post's readers follow its
    space's visibility (a change of the space rewrites the readers of the posts it
    holds), and an archived space takes no posts. The spaces are read share-locked on
    PostgreSQL, so they stay as checked until the commit; SQLite has one writer.
    """
    spaces = SpaceRepository(session).facts_of({new.space.id for new in news}, share_lock=True)
    stale = [index for index, new in enumerate(news) if spaces.get(new.space.id) != new.space]
    if stale:
        raise StaleRead(
            f"{len(stale)} of {len(news)} posts had their space changed while prepared.",
            stale=stale,
        )
    PostRepository(session).insert_new([(new.post_row, new.step_row) for new in news])
    OutboxRepository(session).append_many([new.event_row for new in news])


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
    # A post not yet written has no reader rows and no comments: no queries for them.
    new = not inspect(post).persistent
    post.feed_rank = feed_rank_of(post)
    post.version += 1
    post.updated_at = at
    readers = readers_of_post(post, space)
    readers_changed = readers != list(post.readers)
    if readers_changed:
        PostRepository(session).set_readers(post, readers, new=new)
    outbox = OutboxRepository(session)
    comments = CommentRepository(session).of_post(post.id) if readers_changed and not new else []
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
    outbox.append_upsert(document=post_document(post, space), version=post.version)
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
