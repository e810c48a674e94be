"""Reading the feed, company-wide or for one space."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..policy_gate import PolicyGate
from ..posts.models import Post
from ..spaces.service import get_visible_space
from .cursor import FeedCursor
from .repository import FeedRepository, feed_rank


@dataclass(frozen=True)
class FeedSlice:
    posts: list[Post]
    next_cursor: str | None
    # Ids of the posts of this page the reader has acknowledged.
    acknowledged: frozenset[str] = frozenset()


def read_feed(
    *,
    session: Session,
    gate: PolicyGate,
    subject: str,
    cursor: str | None,
    limit: int,
    space_id: str | None = None,
) -> FeedSlice:
    """One page of the posts `subject` may read: pinned, then official, then newest."""
    after = FeedCursor.decode(cursor) if cursor else None
    if space_id is not None:
        get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
    principals = gate.principals(subject)
    # One extra row tells whether another page follows.
    rows = FeedRepository(session).page(
        principals=principals, reader=subject, after=after, limit=limit + 1, space_id=space_id
    )
    acknowledged = frozenset(post.id for post, done in rows[:limit] if done)
    posts = [post for post, _ in rows]
    if len(posts) <= limit:
        return FeedSlice(posts=posts, next_cursor=None, acknowledged=acknowledged)
    posts = posts[:limit]
    last = posts[-1]
    assert last.published_at is not None
    next_cursor = FeedCursor(
        rank=feed_rank(last), published_at=last.published_at, post_id=last.id
    ).encode()
    return FeedSlice(posts=posts, next_cursor=next_cursor, acknowledged=acknowledged)
