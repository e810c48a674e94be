"""The caller's inbox: only their own items, and only from spaces they may still read.

Policy is asked at read time too: items about a space the caller lost access to are
left out of the list, the count and "mark all read", as if they were not there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from townhall_contracts.notifications import Inbox, InboxItem, NotificationKind, UnreadCount

from ..delivery.models import Notification
from ..delivery.plans import portal_path
from ..reach import Reach
from .errors import BadCursor, NotificationNotFound
from .repository import InboxRepository


def _readable(reach: Reach, subject: str, spaces: set[str]) -> set[str]:
    return {s for s in spaces if reach.may_read(subject, s)}


def _item(row: Notification) -> InboxItem:
    assert row.id is not None
    return InboxItem(
        id=row.id,
        kind=NotificationKind(row.kind),
        post_id=row.post_id,
        space_id=row.space_id,
        title=row.title,
        excerpt=row.excerpt,
        actor_id=row.actor_id,
        read=row.read_at is not None,
        created_at=row.created_at,
        link=portal_path(row.kind, row.post_id),
    )


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise BadCursor("The cursor is the `next_cursor` of a previous page.")
    return int(cursor)


def unread(session: Session, reach: Reach, subject: str) -> UnreadCount:
    counts = InboxRepository(session).unread_by_space(subject)
    readable = _readable(reach, subject, set(counts))
    return UnreadCount(unread=sum(n for s, n in counts.items() if s in readable))


def inbox(session: Session, reach: Reach, subject: str, *, cursor: str | None, limit: int) -> Inbox:
    rows = InboxRepository(session).page(subject, before=_cursor(cursor), limit=limit)
    readable = _readable(reach, subject, {r.space_id for r in rows})
    items = [_item(r) for r in rows if r.space_id in readable]
    next_cursor = str(rows[-1].id) if len(rows) == limit else None
    return Inbox(
        unread=unread(session, reach, subject).unread, items=items, next_cursor=next_cursor
    )


def mark_read(session: Session, reach: Reach, subject: str, notification_id: int) -> InboxItem:
    row = InboxRepository(session).get(subject, notification_id)
    if row is None or not _readable(reach, subject, {row.space_id}):
        raise NotificationNotFound(f"No notification {notification_id} in your inbox.")
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        session.add(row)
        session.flush()
    return _item(row)


def mark_all_read(session: Session, reach: Reach, subject: str) -> int:
    repository = InboxRepository(session)
    spaces = _readable(reach, subject, set(repository.unread_by_space(subject)))
    if not spaces:
        return 0
    return repository.mark_all_read(subject, sorted(spaces), datetime.now(UTC))
