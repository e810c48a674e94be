"""The development SMTP sink: a real SMTP server (aiosmtpd) that keeps what it receives.

The embedded default starts it with the service on 127.0.0.1:8025 and sends its mails
there; each mail lands as a `.eml` file in the mailbox directory, which
`GET /v1/dev/mail` lists (a portal page can show it). Never outside development.
"""

from __future__ import annotations

import itertools
import threading
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from townhall_contracts.notifications import DevMail


class _Keep:
    """aiosmtpd handler: each accepted mail written to its own file, named in order."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._counter = itertools.count()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        with self._lock:
            name = f"{time.time_ns():020d}-{next(self._counter):06d}.eml"
        path = self._directory / name
        path.with_suffix(".tmp").write_bytes(content)
        path.with_suffix(".tmp").replace(path)  # whole mails only, for the reader
        return "250 Message accepted for delivery"

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        # aiosmtpd reads commands off a buffered stream one after the other, so pipelined
        # ones (RFC 2920) are answered in order: offer it, as the relays of production do.
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


class SmtpSink:
    """The sink server; `start()` listens, `stop()` closes."""

    def __init__(self, directory: Path, *, host: str = "127.0.0.1", port: int = 8025) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._controller = Controller(_Keep(directory), hostname=host, port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


def read_mailbox(directory: Path, *, limit: int = 100) -> list[DevMail]:
    """The newest mails of the sink's directory first."""
    if not directory.is_dir():
        return []
    mails: list[DevMail] = []
    for path in sorted(directory.glob("*.eml"), reverse=True)[:limit]:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        mails.append(
            DevMail(
                id=path.stem,
                sender=str(message.get("From", "")),
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
                list_unsubscribe=str(message.get("List-Unsubscribe", "")),
                text=text.get_content() if text is not None else "",
                html=html.get_content() if html is not None else "",
            )
        )
    return mails
