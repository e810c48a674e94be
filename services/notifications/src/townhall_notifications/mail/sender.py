"""Sending queued mails over SMTP: retried with backoff, bounces and failures recorded.

Within a pass a mail is retried (tenacity, exponential backoff) while the server is
unreachable or answers 4xx; a 5xx answer is a bounce, recorded at once and never
retried. After `max_attempts` transient failures in all, the mail is marked failed with
the last error. The `Message-ID` derives from the delivery key, so a mail sent again
after a crash between the server's acceptance and our commit is recognisably the same.
A pass sends over `connections` reused SMTP connections at once, each mail's envelope
pipelined when the server offers it (`pipelining`).
"""

from __future__ import annotations

import base64
import hashlib
import queue
import smtplib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formatdate, parseaddr

from sqlalchemy import update
from sqlmodel import Session, col, select
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ..claims import claimed
from .models import MailStatus, OutgoingMail
from .pipelining import send_message

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


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A mail ready for SMTP: the envelope and the message's bytes."""

    sender: str
    to: str
    data: bytes


def message_of(mail: OutgoingMail, sender: str) -> Outgoing:
    """The multipart (text + HTML) message, with the one-click unsubscribe headers.

    Written out directly (headers, then each part in base64, CRLF line ends): the `email`
    package's generator costs several milliseconds a mail, far more than sending it. The
    header values are ours and ASCII but the subject, which is RFC 2047 encoded."""
    digest = hashlib.sha256(mail.delivery_key.encode()).hexdigest()[:32]
    boundary = f"=_townhall_{digest}"
    headers = [
        f"From: {sender}",
        f"To: {mail.to_address}",
        f"Subject: {_encoded_words(mail.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: <{digest}@townhall>",
        f"X-Townhall-Delivery-Key: {mail.delivery_key}",
        # RFC 8058: a mail client may unsubscribe with one POST to this address.
        f"List-Unsubscribe: <{mail.unsubscribe_url}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    parts = [_part("plain", mail.text_body, boundary), _part("html", mail.html_body, boundary)]
    data = "\r\n".join(headers) + "\r\n\r\n" + "".join(parts) + f"--{boundary}--\r\n"
    _, address = parseaddr(sender)
    return Outgoing(address or sender, mail.to_address, data.encode("ascii"))


def _part(subtype: str, body: str, boundary: str) -> str:
    encoded = base64.encodebytes(body.encode()).decode("ascii").replace("\n", "\r\n")
    return (
        f"--{boundary}\r\nContent-Type: text/{subtype}; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
    )


def _encoded_words(text: str) -> str:
    """`text` as a header value: as it is when plain ASCII, else RFC 2047 encoded words of
    at most 45 bytes of UTF-8 each (75 characters encoded), folded onto lines of their own."""
    if text.isascii() and "=?" not in text and "\n" not in text and "\r" not in text:
        return text
    words: list[str] = []
    chunk = b""
    for character in text:
        encoded = character.encode()
        if len(chunk) + len(encoded) > 45:
            words.append(chunk.decode())
            chunk = b""
        chunk += encoded
    words.append(chunk.decode())
    return "\r\n ".join(
        f"=?utf-8?b?{base64.b64encode(w.encode()).decode('ascii')}?=" for w in words if w
    )


def _transient(exc: BaseException) -> bool:
    return not isinstance(exc, Bounced)


class _Connections:
    """The SMTP connections of one pass: each sending thread takes a free one (or opens
    one), gives it back after a mail, and drops it on an error; all are closed at the end."""

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        self._free: queue.SimpleQueue[smtplib.SMTP] = queue.SimpleQueue()

    def take(self) -> smtplib.SMTP:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        config = self._config
        smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        try:
            if config.starttls:
                smtp.starttls()
            if config.username:
                smtp.login(config.username, config.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def give_back(self, smtp: smtplib.SMTP) -> None:
        self._free.put(smtp)

    def close(self) -> None:
        while True:
            try:
                smtp = self._free.get_nowait()
            except queue.Empty:
                return
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


class SmtpSender:
    """Sends a pass's mails over a few reused connections at once (`connections`): each
    mail costs several round trips to the server, so one connection per mail, one at a
    time, caps the rate far below what the server takes."""

    def __init__(
        self, config: SmtpConfig, *, attempts: int = 3, backoff: float = 0.5, connections: int = 4
    ) -> None:
        self._config = config
        self._attempts = attempts
        self._backoff = backoff
        self.connections = connections

    def send(self, message: Outgoing) -> None:
        """Send one mail on a connection of its own, retrying transient failures."""
        pool = _Connections(self._config)
        try:
            self._send(pool, message)
        finally:
            pool.close()

    def send_all(self, messages: Iterable[Outgoing]) -> list[Exception | None]:
        """Send each mail (several at once); for each, None or why it was not sent. The
        first mails leave while the next are still being built from `messages`."""
        pool = _Connections(self._config)

        def outcome(message: Outgoing) -> Exception | None:
            try:
                self._send(pool, message)
            except (Bounced, OSError, smtplib.SMTPException) as exc:
                return exc
            return None

        try:
            with ThreadPoolExecutor(self.connections, thread_name_prefix="smtp") as executor:
                return list(executor.map(outcome, messages))
        finally:
            pool.close()

    def _send(self, pool: _Connections, message: Outgoing) -> None:
        """Send, retrying transient failures; `Bounced` on a 5xx answer."""
        retrying = Retrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=30),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                self._send_once(pool, message)

    def _send_once(self, pool: _Connections, message: Outgoing) -> None:
        smtp = pool.take()
        try:
            send_message(smtp, message.sender, message.to, message.data)
        except smtplib.SMTPRecipientsRefused as exc:
            smtp.close()
            codes = [code for code, _ in exc.recipients.values()]
            if codes and min(codes) >= 500:
                raise Bounced(f"recipient refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            if exc.smtp_code >= 500:
                raise Bounced(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        except BaseException:
            smtp.close()
            raise
        pool.give_back(smtp)


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
    if not due:
        return outcomes
    errors = sender.send_all(message_of(mail, from_address) for mail in due)
    at = now()
    sent = [mail.id for mail, error in zip(due, errors, strict=True) if error is None]
    _record_sent(session, sent, at)
    outcomes["sent"] = len(sent)
    for mail, error in zip(due, errors, strict=True):
        if error is not None:
            outcomes[_record(mail, error, at, max_attempts, backoff)] += 1
            session.add(mail)
    session.flush()
    return outcomes


def _record_sent(session: Session, ids: list[int | None], at: datetime) -> None:
    """Mark the mails sent in one statement: most of a pass is sent, and an ORM update
    per mail cost as much as building the mail."""
    if ids:
        session.execute(
            update(OutgoingMail)
            .where(col(OutgoingMail.id).in_(ids))
            .values(
                status=MailStatus.SENT.value,
                sent_at=at,
                last_error=None,
                attempts=col(OutgoingMail.attempts) + 1,
            )
            .execution_options(synchronize_session=False)
        )


def _record(
    mail: OutgoingMail, error: Exception, at: datetime, max_attempts: int, backoff: float
) -> str:
    """Record how the failed attempt went (bounced, retried later, or failed for good)."""
    mail.attempts += 1
    if isinstance(error, Bounced):
        mail.status, mail.last_error = MailStatus.BOUNCED, str(error)[:1000]
        return "bounced"
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    if mail.attempts >= max_attempts:
        mail.status = MailStatus.FAILED
        return "failed"
    delay = timedelta(seconds=backoff * 2**mail.attempts)
    mail.next_attempt_at = at + min(delay, _MAX_DELAY)
    return "retry"
