"""Reminders before an acknowledgement's due date, until acknowledged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_contracts.events import EventType
from townhall_notifications.delivery.models import Notification
from townhall_notifications.delivery.reminders import send_reminders
from townhall_notifications.delivery.service import apply
from townhall_platform.db import session_scope
from townhall_platform.testing import ManualClock

from ..conftest import event, published
from ..policy_stub import PolicyStub


def _remind(app: Any, clock: ManualClock, hours: list[int]) -> int:
    with session_scope(app.state.engine) as session:
        return send_reminders(
            session, reach=app.state.reach, book=app.state.book, hours=hours, now=clock()
        )


def _reminded(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Notification)
            .where(col(Notification.kind) == "acknowledgement_reminder")
            .order_by(col(Notification.id))
        ).all()
    return sorted((r.recipient_id, r.source_key) for r in rows)


def test_reminders_go_before_the_due_date_to_who_has_not_acknowledged(
    app: Any, engine: Engine, policy: PolicyStub
) -> None:
    clock = ManualClock()
    post = published(
        "p9",
        "phoenix",
        author_id="alice",
        requires_acknowledgement=True,
        acknowledge_by=clock.at(72 * 3600).isoformat(),
    )
    with session_scope(engine) as session:
        for e in (post, event(EventType.POST_ACKNOWLEDGED, post_id="p9", user_id="bob")):
            apply(session, e, reach=app.state.reach, book=app.state.book, now=clock)

    assert _remind(app, clock, [48, 2]) == 0  # 72 hours ahead: nothing yet
    clock.advance(25 * 3600)
    assert _remind(app, clock, [48, 2]) == 1
    assert _remind(app, clock, [48, 2]) == 0  # the same reminder is not sent twice
    policy.spaces["phoenix"].members.discard("zoe")
    clock.advance(46 * 3600)
    assert _remind(app, clock, [48, 2]) == 0  # zoe lost access: not reminded

    assert _reminded(engine) == [("zoe", "reminder:p9:0")]


def test_no_reminder_after_the_due_date(app: Any, engine: Engine) -> None:
    clock = ManualClock()
    post = published(requires_acknowledgement=True, acknowledge_by=clock.at(3600).isoformat())
    with session_scope(engine) as session:
        apply(session, post, reach=app.state.reach, book=app.state.book, now=clock)
    clock.advance(2 * 3600)

    assert _remind(app, clock, [24]) == 0


def test_a_late_pass_sends_only_the_latest_reminder_due(app: Any, engine: Engine) -> None:
    clock = ManualClock()
    due = clock.at(timedelta(hours=10).total_seconds())
    post = published(
        "p8",
        "phoenix",
        author_id="alice",
        requires_acknowledgement=True,
        acknowledge_by=due.isoformat(),
    )
    with session_scope(engine) as session:
        apply(session, post, reach=app.state.reach, book=app.state.book, now=clock)
    clock.advance(9 * 3600)

    assert _remind(app, clock, [48, 24, 2]) == 2
    assert _reminded(engine) == [("bob", "reminder:p8:2"), ("zoe", "reminder:p8:2")]
