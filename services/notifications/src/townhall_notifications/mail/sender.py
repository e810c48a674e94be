"""Sending queued mails over SMTP: retried with backoff, bounces and failures recorded.

Within a pass a mail is retried (tenacity, exponential backoff) while the server is
unreachable or answers 4xx; a 5xx answer is a bounce, recorded at once and never
retried. After `max_attempts` transient failures in all, the mail is marked failed with
the last error. The `Message-ID` derives from the delivery key, so a mail sent again
after a crash between the server's acceptance and our commit is recognisably the same.
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session, col, select
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ..claims import claimed
from .models import MailStatus, OutgoingMail

_BATCH = 200
_MAX_DELAY = timedelta(hours=1)


class Bounced(Exception):
    """The server refused the mail for good (a 5xx answer)."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    sender: str = "Townhall <notifications@townhall.example>"


def message_of(mail: OutgoingMail, sender: str) -> EmailMessage:
    """The multipart (text + HTML) message, with the one-click unsubscribe headers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    digest = hashlib.sha256(mail.delivery_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@townhall>"
    message["X-Townhall-Delivery-Key"] = mail.delivery_key
    # RFC 8058: a mail client may unsubscribe with one POST to this address.
    message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def _transient(exc: BaseException) -> bool:
    return not isinstance(exc, Bounced)


class SmtpSender:
    def __init__(self, config: SmtpConfig, *, attempts: int = 3, backoff: float = 0.5) -> None:
        self._config = config
        self._attempts = attempts
        self._backoff = backoff

    def send(self, message: EmailMessage) -> None:
        """Send, retrying transient failures; `Bounced` on a 5xx answer."""
        retrying = Retrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=30),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._send_once(message)

    def _send_once(self, message: EmailMessage) -> None:
        config = self._config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
                if config.starttls:
                    smtp.starttls()
                if config.username:
                    smtp.login(config.username, config.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and min(codes) >= 500:
                raise Bounced(f"recipient refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise Bounced(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise


def send_pending(
    session: Session,
    sender: SmtpSender,
    *,
    from_address: str,
    now: Callable[[], datetime],
    max_attempts: int,
    backoff: float,
) -> dict[str, int]:
    """Send the mails due now; the count of each outcome."""
    due = session.exec(
        claimed(select(OutgoingMail))
        .where(
            col(OutgoingMail.status) == MailStatus.PENDING,
            col(OutgoingMail.next_attempt_at) <= now(),
        )
        .order_by(col(OutgoingMail.id))
        .limit(_BATCH)
    ).all()
    outcomes = {"sent": 0, "bounced": 0, "retry": 0, "failed": 0}
    for mail in due:
        outcome = _send_one(mail, sender, from_address, now(), max_attempts, backoff)
        outcomes[outcome] += 1
        session.add(mail)
        session.flush()
    return outcomes


def _send_one(
    mail: OutgoingMail,
    sender: SmtpSender,
    from_address: str,
    at: datetime,
    max_attempts: int,
    backoff: float,
) -> str:
    mail.attempts += 1
    try:
        sender.send(message_of(mail, from_address))
    except Bounced as exc:
        mail.status, mail.last_error = MailStatus.BOUNCED, str(exc)[:1000]
        return "bounced"
    except (OSError, smtplib.SMTPException) as exc:
        mail.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if mail.attempts >= max_attempts:
            mail.status = MailStatus.FAILED
            return "failed"
        delay = timedelta(seconds=backoff * 2**mail.attempts)
        mail.next_attempt_at = at + min(delay, _MAX_DELAY)
        return "retry"
    mail.status, mail.sent_at, mail.last_error = MailStatus.SENT, at, None
    return "sent"
