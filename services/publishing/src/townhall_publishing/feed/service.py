"""Reading the feed, company-wide or for one space."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import RowMapping
from sqlmodel import Session

from ..policy_gate import PolicyGate
from ..spaces.service import get_visible_space
from .cursor import FeedCursor
from .repository import FeedRepository


@dataclass(frozen=True)
class FeedSlice:
    # The page's posts as `FeedRepository.page` reads them (with `acknowledged`).
    rows: Sequence[RowMapping]
    next_cursor: str | None


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
    if len(rows) <= limit:
        return FeedSlice(rows=rows, next_cursor=None)
    last = rows[limit - 1]
    next_cursor = FeedCursor(
        rank=last["feed_rank"], published_at=last["published_at"], post_id=last["id"]
    ).encode()
    return FeedSlice(rows=rows[:limit], next_cursor=next_cursor)
