"""Turning inbox items into queued mails: one at once, or a digest per period.

A queued mail is keyed by what it is about (`notification:<id>`, `digest:<user>:<period>`),
and the items it covers are unmarked in the same transaction: a pass run again, or by a
second worker, queues nothing twice. Policy is asked again here, at delivery time: an
item about a space its recipient can no longer read is not mailed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from townhall_contracts.notifications import DigestFrequency

from ..delivery.models import Notification
from ..preferences.models import Preference
from ..preferences.service import PreferenceBook
from ..reach import Reach
from .models import OutgoingMail
from .render import Rendered, Renderer

_BATCH = 500


def queue_notices(
    session: Session, *, reach: Reach, book: PreferenceBook, renderer: Renderer, now: datetime
) -> int:
    """Queue a mail for each item marked for e-mail at once; the number queued."""
    rows = session.exec(
        select(Notification).where(col(Notification.email_pending).is_(True)).limit(_BATCH)
    ).all()
    queued = 0
    for row in rows:
        row.email_pending = False
        session.add(row)
        if not reach.may_read(row.recipient_id, row.space_id):
            continue
        profile = book.profile(session, row.recipient_id)
        key = f"notification:{row.id}"
        queued += _enqueue(
            session, key, row.recipient_id, profile.email, renderer.notice(profile, row), now
        )
    session.flush()
    return queued


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
    pending = session.exec(
        select(Notification)
        .where(col(Notification.digest_pending).is_(True))
        .order_by(col(Notification.recipient_id), col(Notification.id))
    ).all()
    by_user: dict[str, list[Notification]] = defaultdict(list)
    for item in pending:
        by_user[item.recipient_id].append(item)
    queued = 0
    for user, items in by_user.items():
        pref = session.get(Preference, user)
        profile = book.profile_of(user, pref)
        start = period_start(now, profile.digest, hour=hour, weekday=weekday)
        if pref is not None and pref.last_digest_at is not None and pref.last_digest_at >= start:
            continue
        readable = {s for s in {i.space_id for i in items} if reach.may_read(user, s)}
        shown = [i for i in items if i.space_id in readable]
        if shown:
            key = f"digest:{user}:{start.isoformat()}"
            queued += _enqueue(
                session, key, user, profile.email, renderer.digest(profile, shown), now
            )
        session.execute(
            update(Notification)
            .where(col(Notification.id).in_([i.id for i in items]))
            .values(digest_pending=False)
        )
        pref = pref or Preference(user_id=user)
        pref.last_digest_at = now
        session.add(pref)
    session.flush()
    return queued


def _enqueue(
    session: Session, key: str, user: str, address: str, mail: Rendered, now: datetime
) -> int:
    if session.exec(select(OutgoingMail.id).where(col(OutgoingMail.delivery_key) == key)).first():
        return 0
    session.add(
        OutgoingMail(
            delivery_key=key,
            recipient_id=user,
            to_address=address,
            subject=mail.subject,
            text_body=mail.text,
            html_body=mail.html,
            unsubscribe_url=mail.unsubscribe_url,
            created_at=now,
            next_attempt_at=now,
        )
    )
    return 1
