"""The domain events people are told about, written to the outbox with their change.

Each function appends one event of `townhall_contracts.events` in the caller's
transaction, after the change (and its document events): the change and its event
commit together or not at all.
"""

from __future__ import annotations

from sqlmodel import Session

from townhall_contracts.events import (
    CommentCreated,
    EventType,
    PostAcknowledged,
    PostDecided,
    PostEndorsed,
    PostPublished,
    PostSubmitted,
    PostWithdrawn,
    ReportCreated,
)

from ..outbox.repository import OutboxRepository
from .models import Comment, Post

# An event carries a short plain excerpt, never the whole text: a consumer that shows
# more fetches the post as its reader, through publishing's access checks.
SUMMARY_LENGTH = 280


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SUMMARY_LENGTH else flat[: SUMMARY_LENGTH - 1] + "…"


def post_published(session: Session, post: Post) -> None:
    OutboxRepository(session).append(
        EventType.POST_PUBLISHED,
        PostPublished(
            post_id=post.id,
            space_id=post.space_id,
            kind=post.kind,
            author_id=post.author_id,
            title=post.title,
            summary=_excerpt(post.body),
            authority=post.authority,
            audience_groups=list(post.audience_groups),
            audience_spaces=list(post.audience_spaces),
            requires_acknowledgement=post.requires_ack,
            acknowledge_by=post.acknowledge_by,
            mentions=list(post.mentions),
        ),
    )


def post_submitted(session: Session, post: Post) -> None:
    OutboxRepository(session).append(
        EventType.POST_SUBMITTED,
        PostSubmitted(
            post_id=post.id, space_id=post.space_id, author_id=post.author_id, title=post.title
        ),
    )


def post_withdrawn(session: Session, post: Post) -> None:
    OutboxRepository(session).append(
        EventType.POST_WITHDRAWN,
        PostWithdrawn(
            post_id=post.id, space_id=post.space_id, author_id=post.author_id, title=post.title
        ),
    )


def post_decided(session: Session, post: Post, *, by: str, reason: str | None = None) -> None:
    """`post.approved`, or `post.rejected` when there is a `reason`."""
    kind = EventType.POST_REJECTED if reason is not None else EventType.POST_APPROVED
    OutboxRepository(session).append(
        kind,
        PostDecided(
            post_id=post.id,
            space_id=post.space_id,
            author_id=post.author_id,
            title=post.title,
            by=by,
            reason=reason,
        ),
    )


def post_endorsed(session: Session, post: Post, *, by: str) -> None:
    OutboxRepository(session).append(
        EventType.POST_ENDORSED,
        PostEndorsed(
            post_id=post.id,
            space_id=post.space_id,
            author_id=post.author_id,
            title=post.title,
            by=by,
        ),
    )


def post_acknowledged(session: Session, post: Post, *, user_id: str) -> None:
    OutboxRepository(session).append(
        EventType.POST_ACKNOWLEDGED, PostAcknowledged(post_id=post.id, user_id=user_id)
    )


def comment_created(
    session: Session, comment: Comment, post: Post, *, parent: Comment | None
) -> None:
    OutboxRepository(session).append(
        EventType.COMMENT_CREATED,
        CommentCreated(
            comment_id=comment.id,
            post_id=post.id,
            space_id=post.space_id,
            post_author_id=post.author_id,
            author_id=comment.author_id,
            parent_author_id=parent.author_id if parent is not None else None,
            official_answer=comment.official,
            excerpt=_excerpt(comment.body),
            mentions=list(comment.mentions),
        ),
    )


def report_created(session: Session, *, report_id: str, post: Post, reporter_id: str) -> None:
    OutboxRepository(session).append(
        EventType.REPORT_CREATED,
        ReportCreated(
            report_id=report_id, post_id=post.id, space_id=post.space_id, reporter_id=reporter_id
        ),
    )
