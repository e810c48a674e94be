"""The bus consumer: publishing's events from NATS JetStream into `apply`.

The platform's durable pull consumer (`townhall_platform.bus`, durable `nats_durable`)
on publishing's stream: each fetched batch is applied in one transaction and
acknowledged only after the commit (one message at a time, each in its own, when the
batch fails), so a consumer killed mid-batch gets the unacknowledged messages again and
`apply` (keyed by event id) writes nothing twice. An event that cannot be read
is poison: it goes to the dead-letter subject at once. Policy being down is
`RetryLater`: the event comes again, without limit, until policy answers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from townhall_clients import ServiceUnavailable
from townhall_contracts.events import DEAD_LETTER_SUBJECT, STREAM, SUBJECT_PREFIX, Event
from townhall_platform.bus import (
    Bus,
    BusMetrics,
    ConsumerOptions,
    Message,
    NatsCredentials,
    Poison,
    RetryLater,
)
from townhall_platform.db import session_scope

from .delivery.errors import UnreadableEvent
from .delivery.service import apply
from .preferences.service import PreferenceBook
from .reach import Reach

SUBJECTS = [f"{SUBJECT_PREFIX}.>"]


def handle(
    messages: Sequence[bytes],
    *,
    engine: Engine,
    reach: Reach,
    book: PreferenceBook,
    portal_url: str,
) -> None:
    """Apply the messages' events in one transaction (`UnreadableEvent` if one is not an
    event): all of them are written, or none."""
    events = [_event(message) for message in messages]
    with session_scope(engine) as session:
        for event in events:
            apply(session, event, reach=reach, book=book, portal_url=portal_url)


def _event(message: bytes) -> Event:
    try:
        return Event.model_validate_json(message)
    except ValidationError as exc:
        raise UnreadableEvent(f"Not an event: {exc}") from exc


class BusConsumer:
    """Runs the consumer on an event loop of its own thread, from `start()` to `stop()`."""

    def __init__(
        self,
        url: str,
        *,
        durable: str,
        engine: Engine,
        reach: Reach,
        book: PreferenceBook,
        portal_url: str = "http://127.0.0.1:8100",
        metrics: BusMetrics | None = None,
        options: ConsumerOptions | None = None,
        credentials: NatsCredentials | None = None,
    ) -> None:
        self._bus = Bus(url, name=durable, metrics=metrics, credentials=credentials)
        self._durable = durable
        self._apply = lambda messages: handle(
            messages, engine=engine, reach=reach, book=book, portal_url=portal_url
        )
        self._options = options or ConsumerOptions(dead_letter_subject=DEAD_LETTER_SUBJECT)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._run()), name=f"bus-{self._durable}", daemon=True
        )
        self._thread.start()
        # Until the task exists, so that a `stop()` right after this has it to cancel.
        self._started.wait(timeout=30.0)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not None:
            self._thread.join(timeout)

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(
            self._bus.run_consumer(
                self._durable,
                self._one,
                subjects=SUBJECTS,
                stream=STREAM,
                options=self._options,
                batch_handler=self._batch,
            )
        )
        self._started.set()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        finally:
            await self._bus.close()

    async def _batch(self, messages: Sequence[Message]) -> None:
        """A fetched batch in one transaction; if it fails, the consumer hands each
        message to `_one`, so that one bad event is retried or dead-lettered alone."""
        try:
            await asyncio.to_thread(self._apply, [message.data for message in messages])
        except ServiceUnavailable as exc:
            raise RetryLater(str(exc)) from exc

    async def _one(self, message: Message) -> None:
        try:
            # The database and policy calls are blocking: off the event loop.
            await asyncio.to_thread(self._apply, [message.data])
        except UnreadableEvent as exc:
            raise Poison(exc.detail) from exc
        except ServiceUnavailable as exc:
            raise RetryLater(str(exc)) from exc
