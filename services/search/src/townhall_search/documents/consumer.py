"""Search's indexer on the bus: a durable consumer of publishing's document events.

Each fetched batch is applied as one index batch (the same `apply_batch` as a rebuild
and the internal bulk endpoint: checked, then applied idempotently by version), then
acked. A message redelivered after a crash between the commit and the ack is skipped
as a version already held. An event search cannot read, or of a newer schema, is
poison: it goes to the dead-letter subject instead of blocking the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from anyio import to_thread
from pydantic import ValidationError

from townhall_contracts.events import (
    DEAD_LETTER_SUBJECT,
    DOCUMENT_SUBJECTS,
    SCHEMA_VERSION,
    STREAM,
    DocumentDeleted,
    DocumentUpserted,
    Event,
)
from townhall_contracts.search import IndexBatch, IndexEvent, IndexOperation
from townhall_platform.bus import Bus, ConsumerOptions, Message, Poison

from ..index import IndexBackend
from .errors import InvalidIndexEvent
from .service import apply_batch

DURABLE_NAME = "search-indexer"


def index_event(message: Message) -> IndexEvent:
    """The bus message as an index event; `Poison` when it cannot be one."""
    try:
        event = Event.model_validate_json(message.data)
        if event.schema_version > SCHEMA_VERSION:
            raise Poison(f"schema version {event.schema_version} is newer than ours")
        data = event.parsed()
    except (ValidationError, ValueError) as exc:
        raise Poison(f"not a readable event: {exc}") from exc
    if isinstance(data, DocumentUpserted):
        return IndexEvent(
            event_id=event.id,
            op=IndexOperation.UPSERT,
            doc_id=data.doc_id,
            version=data.version,
            document=data.document,
        )
    if isinstance(data, DocumentDeleted):
        return IndexEvent(
            event_id=event.id, op=IndexOperation.DELETE, doc_id=data.doc_id, version=data.version
        )
    raise Poison(f"search does not index {event.type.value} events")


class BusIndexer:
    """Applies document events from the bus to `index` until cancelled."""

    def __init__(
        self, *, bus: Bus, index: Callable[[], IndexBackend | None], options: ConsumerOptions
    ) -> None:
        self._bus = bus
        self._index = index
        self._options = options
        # When a fetch last found nothing to do (monotonic seconds), None before that.
        self.caught_up_at: float | None = None

    async def run(self) -> None:
        await self._bus.run_consumer(
            DURABLE_NAME,
            self._one,
            subjects=DOCUMENT_SUBJECTS,
            stream=STREAM,
            options=self._options,
            batch_handler=self._batch,
            on_idle=self._idle,
        )

    def _idle(self) -> None:
        self.caught_up_at = time.monotonic()

    async def _one(self, message: Message) -> None:
        try:
            await self._apply([index_event(message)])
        except InvalidIndexEvent as exc:
            raise Poison(str(exc)) from exc

    async def _batch(self, messages: Sequence[Message]) -> None:
        await self._apply([index_event(message) for message in messages])

    async def _apply(self, events: list[IndexEvent]) -> None:
        index = self._index()
        if index is None:
            raise RuntimeError("the index is closed")
        batch = IndexBatch(events=events)
        await to_thread.run_sync(lambda: apply_batch(index=index, batch=batch))


def consumer_options(batch_size: int, max_deliver: int) -> ConsumerOptions:
    return ConsumerOptions(
        batch_size=batch_size, max_deliver=max_deliver, dead_letter_subject=DEAD_LETTER_SUBJECT
    )
