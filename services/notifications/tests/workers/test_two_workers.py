"""Two notifications workers on one PostgreSQL database: nothing goes out twice.

Two apps, each with its own engine and policy client as two processes would have, run
their background passes at the same moment against a real aiosmtpd server, until both
find nothing left. Every mail (acknowledgements due, reminders, digests) reaches the
server exactly once, and every reminder and digest is written once.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_notifications.app import create_app
from townhall_notifications.delivery.models import Notification
from townhall_notifications.delivery.service import apply
from townhall_notifications.mail.models import MailStatus, OutgoingMail
from townhall_notifications.mail.sink import SmtpSink
from townhall_notifications.settings import NotificationsSettings
from townhall_platform.db import session_scope
from townhall_platform.testing import ManualClock, free_port

from ..conftest import published
from ..policy_stub import PolicyStub

pytestmark = pytest.mark.postgresql_only

EMPLOYEES = 150
# At the daily digest's hour: digests, reminders and acknowledgements are all due at once.
START = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)


def _worker(settings: NotificationsSettings, policy: PolicyStub, clock: ManualClock) -> Any:
    app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
    app.state.jobs.now = clock
    return app


def _passes(app: Any, start: threading.Barrier, errors: list[BaseException]) -> None:
    """Passes until one finds nothing to do; errors are kept for the test to see."""
    start.wait()
    try:
        while any(app.state.jobs.run_once().values()):
            pass
    except BaseException as exc:  # re-raised by the test thread
        errors.append(exc)


def _delivery_keys(mailbox: Path) -> Counter[str]:
    parser = BytesParser(policy=email_policy.default)
    return Counter(
        str(parser.parsebytes(path.read_bytes())["X-Townhall-Delivery-Key"])
        for path in mailbox.glob("*.eml")
    )


def test_two_workers_send_every_mail_reminder_and_digest_once(
    settings: NotificationsSettings, policy: PolicyStub, engine: Engine, tmp_path: Path
) -> None:
    policy.employees = {f"user{n:03d}" for n in range(EMPLOYEES)}
    port = free_port()
    settings = settings.model_copy(
        update={"smtp_port": port, "reminder_hours": [24], "digest_hour": 7}
    )
    clock = ManualClock(START)
    first, second = (_worker(settings, policy, clock) for _ in range(2))
    due = (START + timedelta(hours=10)).isoformat()
    with session_scope(engine) as session:
        for n in range(3):  # mails at once and, due within 24 hours, reminders
            notice = published(f"notice{n}", requires_acknowledgement=True, acknowledge_by=due)
            apply(session, notice, reach=first.state.reach, book=first.state.book, now=clock)
        for n in range(2):  # the daily digest
            news = published(f"news{n}")
            apply(session, news, reach=first.state.reach, book=first.state.book, now=clock)

    errors: list[BaseException] = []
    start = threading.Barrier(2)
    with SmtpSink(tmp_path / "mailbox", port=port):
        threads = [
            threading.Thread(target=_passes, args=(app, start, errors)) for app in (first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []

    sent = _delivery_keys(tmp_path / "mailbox")
    assert [key for key, times in sent.items() if times > 1] == []
    kinds = Counter(key.split(":")[0] for key in sent)
    # Three notices and three reminders to each of the audience (the author included),
    # then one digest each of the two news posts.
    with Session(engine) as session:
        reminders = session.exec(
            select(func.count())
            .select_from(Notification)
            .where(col(Notification.kind) == "acknowledgement_reminder")
        ).one()
        queued = session.exec(
            select(func.count())
            .select_from(OutgoingMail)
            .where(col(OutgoingMail.status) == MailStatus.SENT)
        ).one()
    audience = EMPLOYEES
    assert reminders == 3 * audience
    assert kinds == {"notification": 6 * audience, "digest": audience}
    assert sum(sent.values()) == queued
