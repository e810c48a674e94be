"""Reminders of an acknowledgement still due, before its `acknowledge_by`.

Each configured lead time (hours before the due date) gives one reminder, until the user
acknowledges. A reminder is keyed `reminder:<post>:<n>` with its recipient, so a pass
run twice (a crash before the commit) writes it once, and two workers take disjoint rows
(`claims`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from townhall_contracts.notifications import NotificationKind

from ..claims import claimed
from ..preferences.service import PreferenceBook
from ..reach import Reach
from .models import AcknowledgementDue
from .plans import Item
from .service import write

_BATCH = 1000


def send_reminders(
    session: Session, *, reach: Reach, book: PreferenceBook, hours: list[int], now: datetime
) -> int:
    """Write the reminders due at `now`; the number written."""
    leads = sorted(hours, reverse=True)  # the earliest reminder first
    if not leads:
        return 0
    horizon = now + timedelta(hours=leads[0])
    due = session.exec(
        claimed(select(AcknowledgementDue))
        .where(
            col(AcknowledgementDue.acknowledged).is_(False),
            col(AcknowledgementDue.due_at).is_not(None),
            col(AcknowledgementDue.due_at) > now,
            col(AcknowledgementDue.due_at) <= horizon,
            col(AcknowledgementDue.reminders_sent) < len(leads),
        )
        .limit(_BATCH)
    ).all()
    groups: dict[tuple[str, str, str, int], list[AcknowledgementDue]] = defaultdict(list)
    for row in due:
        assert row.due_at is not None
        # Reminders whose time passed together (a late first pass) go out as the last one.
        stage = row.reminders_sent
        while stage + 1 < len(leads) and row.due_at - timedelta(hours=leads[stage + 1]) <= now:
            stage += 1
        if row.due_at - timedelta(hours=leads[stage]) <= now:
            groups[(row.post_id, row.space_id, row.title, stage)].append(row)
    written = 0
    for (post_id, space_id, title, stage), rows in groups.items():
        # Checked at delivery time: a member revoked since publication is not reminded.
        readers = set(reach.readers([r.user_id for r in rows], space_id))
        item = Item(NotificationKind.ACKNOWLEDGEMENT_REMINDER, post_id, space_id, title)
        items = {r.user_id: item for r in rows if r.user_id in readers}
        written += len(write(session, f"reminder:{post_id}:{stage}", items, book=book, at=now))
        for row in rows:
            row.reminders_sent = stage + 1
            session.add(row)
    session.flush()
    return written
