"""The bus consumer: publishing's events from NATS JetStream into `apply`.

A durable pull consumer (`nats_durable`) on publishing's stream, with explicit acks:
each message is applied in its own transaction and acknowledged only after the commit,
so a consumer killed mid-batch gets the unacknowledged messages again and `apply`
(keyed by event id) writes nothing twice. An event that cannot be read is sent to the
dead-letter subject (with its original subject in a header) and terminated, so it does
not block the stream; policy being down asks for redelivery later.

Written against nats-py directly; when the platform's bus runner lands it can take over
the loop and keep `handle` as the message handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

import nats
import structlog
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from townhall_clients import ServiceUnavailable
from townhall_contracts.events import DEAD_LETTER_SUBJECT, STREAM, SUBJECT_PREFIX, Event
from townhall_platform.db import session_scope

from .delivery.errors import UnreadableEvent
from .delivery.service import apply
from .preferences.service import PreferenceBook
from .reach import Reach

log = structlog.get_logger("townhall.notifications.bus")

ORIGINAL_SUBJECT = "Townhall-Original-Subject"
_REDELIVER_SECONDS = 2.0


def handle(
    message: bytes, *, engine: Engine, reach: Reach, book: PreferenceBook, portal_url: str
) -> None:
    """Apply one message's event in its own transaction (`UnreadableEvent` if it is not one)."""
    try:
        event = Event.model_validate_json(message)
    except ValidationError as exc:
        raise UnreadableEvent(f"Not an event: {exc}") from exc
    with session_scope(engine) as session:
        apply(session, event, reach=reach, book=book, portal_url=portal_url)


class BusConsumer:
    """Runs the consumer loop on a thread of its own until `stop()`."""

    def __init__(
        self,
        url: str,
        *,
        durable: str,
        engine: Engine,
        reach: Reach,
        book: PreferenceBook,
        portal_url: str = "http://127.0.0.1:8100",
        batch: int = 100,
        on_applied: Callable[[], None] | None = None,
    ) -> None:
        self._url = url
        self._durable = durable
        self._apply = lambda data: handle(
            data, engine=engine, reach=reach, book=book, portal_url=portal_url
        )
        self._batch = batch
        self._on_applied = on_applied
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._consume()
            except Exception as exc:  # NATS down or restarting: try again shortly
                log.warning("bus_consumer_failed", error=str(exc))
                await asyncio.sleep(1.0)

    async def _consume(self) -> None:
        connection = await nats.connect(self._url, max_reconnect_attempts=-1)
        try:
            js = connection.jetstream()
            subscription = await js.pull_subscribe(
                f"{SUBJECT_PREFIX}.>",
                durable=self._durable,
                stream=STREAM,
                config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT),
            )
            while not self._stopping.is_set():
                try:
                    # The first message as soon as it is stored, then what is stored already:
                    # one fetch of a whole batch would hold a lone message up to a second.
                    messages = await subscription.fetch(1, timeout=1.0)
                except NatsTimeout:
                    continue
                if self._batch > 1:
                    with contextlib.suppress(NatsTimeout):
                        messages += await subscription.fetch(self._batch - 1, timeout=0.005)
                for message in messages:
                    await self._one(connection, message)
        finally:
            await connection.close()

    async def _one(self, connection: NatsClient, message: Msg) -> None:
        try:
            # The database and policy calls are blocking: off the event loop.
            await asyncio.to_thread(self._apply, message.data)
        except UnreadableEvent as exc:
            log.error("bus_event_dead_lettered", subject=message.subject, error=exc.detail)
            await connection.publish(
                DEAD_LETTER_SUBJECT, message.data, headers={ORIGINAL_SUBJECT: message.subject}
            )
            await message.term()
            return
        except ServiceUnavailable:
            await message.nak(delay=_REDELIVER_SECONDS)
            return
        await message.ack()
        if self._on_applied is not None:
            self._on_applied()
