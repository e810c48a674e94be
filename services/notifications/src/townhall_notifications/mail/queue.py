"""Turning inbox items into queued mails: one at once, or a digest per period.

A queued mail is keyed by what it is about (`notification:<id>`, `digest:<user>:<period>`),
and the items it covers are unmarked in the same transaction: a pass run again, or by a
second worker, queues nothing twice. Policy is asked again here, at delivery time: an
item about a space its recipient can no longer read is not mailed. Immediate mails are
claimed by rows and digests built by one worker at a time (`claims`), so several workers
share the work without sending anything twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from townhall_contracts.notifications import DigestFrequency

from ..bulk import insert_rows
from ..claims import DIGEST_LOCK_KEY, claimed, hold_pass
from ..delivery.models import Notification
from ..preferences.models import Preference
from ..preferences.service import PreferenceBook, Profile
from ..reach import Reach
from .models import MailStatus, OutgoingMail
from .render import Rendered, Renderer

_BATCH = 500
_IN = 500  # values per `IN (...)` query


def queue_notices(
    session: Session, *, reach: Reach, book: PreferenceBook, renderer: Renderer, now: datetime
) -> int:
    """Queue a mail for each item marked for e-mail at once; the number queued."""
    rows = session.exec(
        claimed(select(Notification))
        .where(col(Notification.email_pending).is_(True))
        .order_by(col(Notification.id))
        .limit(_BATCH)
    ).all()
    if not rows:
        return 0
    session.execute(
        update(Notification)
        .where(col(Notification.id).in_([r.id for r in rows]))
        .values(email_pending=False)
        .execution_options(synchronize_session=False)
    )
    by_space: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_space[row.space_id].add(row.recipient_id)
    # One policy question per space for the whole batch, not one per mail.
    readable = {
        (user, space)
        for space, users in by_space.items()
        for user in reach.readers_of_items(users, space)
    }
    profiles = _profiles(session, book, {r.recipient_id for r in rows})
    mails = {
        f"notification:{row.id}": (
            row.recipient_id,
            renderer.notice(profiles[row.recipient_id], row),
        )
        for row in rows
        if (row.recipient_id, row.space_id) in readable
    }
    return _enqueue_all(session, mails, profiles, now)


def period_start(now: datetime, frequency: DigestFrequency, *, hour: int, weekday: int) -> datetime:
    """The latest digest time at or before `now` (daily at `hour`, weekly on `weekday`)."""
    start = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if start > now:
        start -= timedelta(days=1)
    if frequency is DigestFrequency.WEEKLY:
        start -= timedelta(days=(start.weekday() - weekday) % 7)
    return start


def queue_digests(
    session: Session,
    *,
    reach: Reach,
    book: PreferenceBook,
    renderer: Renderer,
    now: datetime,
    hour: int,
    weekday: int,
) -> int:
    """Queue the digest of every user whose period began and who has items waiting."""
    if not hold_pass(session, DIGEST_LOCK_KEY):
        return 0  # another worker builds the digests now
    pending = session.exec(
        select(Notification)
        .where(col(Notification.digest_pending).is_(True))
        .order_by(col(Notification.recipient_id), col(Notification.id))
    ).all()
    by_user: dict[str, list[Notification]] = defaultdict(list)
    for item in pending:
        by_user[item.recipient_id].append(item)
    prefs = _preferences(session, set(by_user))
    due: dict[str, datetime] = {}
    for user in by_user:
        pref = prefs.get(user)
        start = period_start(now, book.profile_of(user, pref).digest, hour=hour, weekday=weekday)
        if pref is None or pref.last_digest_at is None or pref.last_digest_at < start:
            due[user] = start
    readable = _readable(reach, {u: by_user[u] for u in due})
    profiles = {u: book.profile_of(u, prefs.get(u)) for u in due}
    mails: dict[str, tuple[str, Rendered]] = {}
    for user, start in due.items():
        shown = [i for i in by_user[user] if (user, i.space_id) in readable]
        if shown:
            mails[f"digest:{user}:{start.isoformat()}"] = (
                user,
                renderer.digest(profiles[user], shown),
            )
    queued = _enqueue_all(session, mails, profiles, now)
    _mark_digested(session, [i.id for u in due for i in by_user[u]], prefs, due, now)
    return queued


def _readable(reach: Reach, items: dict[str, list[Notification]]) -> set[tuple[str, str]]:
    """(user, space) pairs still readable now: one policy question per space."""
    by_space: dict[str, set[str]] = defaultdict(set)
    for user, user_items in items.items():
        for item in user_items:
            by_space[item.space_id].add(user)
    return {
        (user, space)
        for space, users in by_space.items()
        for user in reach.readers_of_items(users, space)
    }


# The updates below skip matching the session's objects: tens of thousands of them are
# loaded, none is read again after, and the match cost more than the update.
def _mark_digested(
    session: Session,
    ids: list[int | None],
    prefs: dict[str, Preference],
    due: dict[str, datetime],
    now: datetime,
) -> None:
    for start in range(0, len(ids), _IN):
        session.execute(
            update(Notification)
            .where(col(Notification.id).in_(ids[start : start + _IN]))
            .values(digest_pending=False)
            .execution_options(synchronize_session=False)
        )
    known = [u for u in due if u in prefs]
    for start in range(0, len(known), _IN):
        session.execute(
            update(Preference)
            .where(col(Preference.user_id).in_(known[start : start + _IN]))
            .values(last_digest_at=now)
            .execution_options(synchronize_session=False)
        )
    # A user's first row holds the defaults a user without one has.
    fresh: list[dict[str, Any]] = [
        {"user_id": u, "channels": {}, "digest": "daily", "language": "fr", "email": None}
        | {"last_digest_at": now}
        for u in due
        if u not in prefs
    ]
    insert_rows(session, Preference, fresh)


def _preferences(session: Session, users: set[str]) -> dict[str, Preference]:
    wanted = sorted(users)
    found: dict[str, Preference] = {}
    for start in range(0, len(wanted), _IN):
        chunk = wanted[start : start + _IN]
        for row in session.exec(select(Preference).where(col(Preference.user_id).in_(chunk))):
            found[row.user_id] = row
    return found


def _profiles(session: Session, book: PreferenceBook, users: set[str]) -> dict[str, Profile]:
    prefs = _preferences(session, users)
    return {u: book.profile_of(u, prefs.get(u)) for u in users}


def _enqueue_all(
    session: Session,
    mails: dict[str, tuple[str, Rendered]],
    profiles: dict[str, Profile],
    now: datetime,
) -> int:
    """Insert the mails not queued already (by delivery key); the number inserted."""
    keys = sorted(mails)
    for start in range(0, len(keys), _IN):
        chunk = keys[start : start + _IN]
        existing = session.exec(
            select(OutgoingMail.delivery_key).where(col(OutgoingMail.delivery_key).in_(chunk))
        ).all()
        for key in existing:
            mails.pop(key, None)
    rows = [
        {
            "delivery_key": key,
            "recipient_id": user,
            "to_address": profiles[user].email,
            "subject": mail.subject,
            "text_body": mail.text,
            "html_body": mail.html,
            "unsubscribe_url": mail.unsubscribe_url,
            "status": MailStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for key, (user, mail) in mails.items()
    ]
    insert_rows(session, OutgoingMail, rows)
    return len(rows)
