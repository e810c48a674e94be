"""`apply`: one event, turned into inbox items in the caller's transaction, once.

The event's id is recorded in `applied_events` in the same transaction as its items, so
a replayed event (the bus redelivers, a consumer killed mid-batch starts again) writes
nothing twice; the unique (source, recipient) key holds the same line for reminders.
Each item goes where its recipient's preferences say: `off` writes nothing, `email`
marks it for the mail worker, `digest` for the next digest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from townhall_contracts.events import SCHEMA_VERSION, Event, EventType, PostAcknowledged
from townhall_contracts.notifications import Channel
from townhall_contracts.notifications import NotificationKind as Kind

from ..bulk import insert_rows
from ..preferences.service import PreferenceBook
from ..reach import Reach
from ..webhooks.service import enqueue as enqueue_webhooks
from .errors import UnreadableEvent
from .models import AcknowledgementDue, AppliedEvent, Notification
from .plans import Item, Plan, plan


@dataclass(frozen=True, slots=True)
class Applied:
    duplicate: bool
    notifications: int


def apply(
    session: Session,
    event: Event,
    *,
    reach: Reach,
    book: PreferenceBook,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    portal_url: str = "http://127.0.0.1:8100",
) -> Applied:
    """Write the notifications of `event` in `session` (the caller commits)."""
    if session.get(AppliedEvent, event.id) is not None:
        return Applied(duplicate=True, notifications=0)
    if event.schema_version > SCHEMA_VERSION:
        raise UnreadableEvent(
            f"Event {event.id} has schema version {event.schema_version}; "
            f"this service reads up to {SCHEMA_VERSION}."
        )
    try:
        result = plan(event, reach, lambda post_id: approvers_asked(session, post_id))
    except (ValidationError, ValueError) as exc:
        raise UnreadableEvent(
            f"Event {event.id} ({event.type}) does not match its type: {exc}"
        ) from exc
    if event.type is EventType.POST_ACKNOWLEDGED:
        _acknowledged(session, PostAcknowledged.model_validate(event.data))
    written = write(session, f"event:{event.id}", result.items, book=book, at=now())
    if result.acknowledgement is not None:
        _track(session, result, written)
    enqueue_webhooks(session, reach, event, now(), portal_url=portal_url)
    session.add(AppliedEvent(event_id=event.id, type=event.type.value, applied_at=now()))
    session.flush()
    return Applied(duplicate=False, notifications=len(written))


def approvers_asked(session: Session, post_id: str) -> list[str]:
    """Who was asked to approve `post_id` (at any of its submissions), as their inbox says."""
    statement = (
        select(Notification.recipient_id)
        .where(
            col(Notification.post_id) == post_id,
            col(Notification.kind) == Kind.APPROVAL_REQUESTED.value,
        )
        .distinct()
        .order_by(col(Notification.recipient_id))
    )
    return list(session.exec(statement))


def write(
    session: Session, source_key: str, items: dict[str, Item], *, book: PreferenceBook, at: datetime
) -> list[str]:
    """Insert one item per recipient, routed by preferences; the recipients written."""
    rows: list[dict[str, Any]] = []
    by_kind: dict[Any, list[str]] = {}
    for recipient, item in items.items():
        by_kind.setdefault(item.kind, []).append(recipient)
    for kind, recipients in by_kind.items():
        channels = book.channels(session, recipients, kind)
        for recipient in recipients:
            channel = channels[recipient]
            if channel is Channel.OFF:
                continue
            rows.append(_row(source_key, recipient, items[recipient], channel, at))
    insert_rows(session, Notification, rows)
    return [row["recipient_id"] for row in rows]


def _row(
    source_key: str, recipient: str, item: Item, channel: Channel, at: datetime
) -> dict[str, Any]:
    return {
        "recipient_id": recipient,
        "kind": item.kind.value,
        "post_id": item.post_id,
        "space_id": item.space_id,
        "title": item.title[:300],
        "excerpt": item.excerpt[:500],
        "actor_id": item.actor_id,
        "source_key": source_key,
        "created_at": at,
        "read_at": None,
        "email_pending": channel is Channel.EMAIL,
        "digest_pending": channel is Channel.DIGEST,
    }


def _track(session: Session, result: Plan, recipients: Sequence[str]) -> None:
    """Remember who must acknowledge, for the reminders."""
    post = result.acknowledgement
    assert post is not None
    wanted = [r for r in recipients if result.items[r].kind.value == "acknowledgement_due"]
    rows = [
        {
            "post_id": post.post_id,
            "user_id": user,
            "space_id": post.space_id,
            "title": post.title[:300],
            "due_at": post.acknowledge_by,
            "acknowledged": False,
            "reminders_sent": 0,
        }
        for user in wanted
    ]
    insert_rows(session, AcknowledgementDue, rows)


def _acknowledged(session: Session, data: PostAcknowledged) -> None:
    due = session.exec(
        select(AcknowledgementDue).where(
            col(AcknowledgementDue.post_id) == data.post_id,
            col(AcknowledgementDue.user_id) == data.user_id,
        )
    ).first()
    if due is not None:
        due.acknowledged = True
        session.add(due)
