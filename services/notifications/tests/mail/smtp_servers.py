"""Real SMTP servers for the mail tests: the sink, and ones that refuse (4xx or 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from townhall_platform.testing import free_port


class Refusing:
    """Answers every mail's data (or, `at` "RCPT", its recipient) with `reply` (e.g. a 451
    or a 550), counting them; offers PIPELINING when `pipelining`."""

    def __init__(self, reply: str, *, at: str = "DATA", pipelining: bool = False) -> None:
        self.reply = reply
        self.at = at
        self.pipelining = pipelining
        self.calls = 0

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        offered = ["250-PIPELINING"] if self.pipelining else []
        return [*responses[:-1], *offered, responses[-1]]

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.at == "RCPT":
            self.calls += 1
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.calls += 1
        return self.reply


@contextmanager
def refusing_server(
    reply: str, *, at: str = "DATA", pipelining: bool = False
) -> Iterator[tuple[int, Refusing]]:
    handler = Refusing(reply, at=at, pipelining=pipelining)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()
