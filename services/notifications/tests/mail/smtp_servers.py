"""Real SMTP servers for the mail tests: the sink, and ones that refuse (4xx or 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from townhall_platform.testing import free_port


class Refusing:
    """Answers every mail's data with `reply` (e.g. a 451 or a 550), counting them."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.calls += 1
        return self.reply


@contextmanager
def refusing_server(reply: str) -> Iterator[tuple[int, Refusing]]:
    handler = Refusing(reply)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()
