"""The background pass: reminders, mails to queue, digests, then sending.

Each step commits on its own, so a failing SMTP server does not hold back reminders or
the inbox. The worker thread (`townhall_platform.workers`) calls `run_once` every
`worker_interval_seconds`, with backoff after a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy.engine import Engine

from townhall_platform.db import session_scope

from .delivery.reminders import send_reminders
from .mail.queue import queue_digests, queue_notices
from .mail.render import Renderer
from .mail.sender import SmtpSender, send_pending
from .preferences.service import PreferenceBook
from .reach import Reach
from .settings import NotificationsSettings
from .webhooks.sender import send_due


@dataclass
class Jobs:
    engine: Engine
    settings: NotificationsSettings
    reach: Reach
    book: PreferenceBook
    renderer: Renderer
    sender: SmtpSender
    webhook_client: httpx.Client
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run_once(self) -> dict[str, int]:
        """One pass of every job; what each did."""
        settings, now = self.settings, self.now
        done: dict[str, int] = {}
        with session_scope(self.engine) as session:
            done["reminders"] = send_reminders(
                session, reach=self.reach, book=self.book, hours=settings.reminder_hours, now=now()
            )
        with session_scope(self.engine) as session:
            done["notices"] = queue_notices(
                session, reach=self.reach, book=self.book, renderer=self.renderer, now=now()
            )
        with session_scope(self.engine) as session:
            done["digests"] = queue_digests(
                session,
                reach=self.reach,
                book=self.book,
                renderer=self.renderer,
                now=now(),
                hour=settings.digest_hour,
                weekday=settings.digest_weekday,
            )
        with session_scope(self.engine) as session:
            done |= send_pending(
                session,
                self.sender,
                from_address=settings.mail_from,
                now=now,
                max_attempts=settings.mail_max_attempts,
                backoff=settings.smtp_backoff_seconds,
            )
        with session_scope(self.engine) as session:
            done |= send_due(
                session,
                self.webhook_client,
                now=now,
                guard={
                    "allow_loopback": settings.webhook_allow_loopback,
                    "allow_private": settings.webhook_allow_private,
                },
                backoff=settings.webhook_backoff_seconds,
                retry_hours=settings.webhook_retry_hours,
            )
        return done

    def tick(self) -> None:
        self.run_once()
