"""`BusThread`: a `Bus` on an event loop of its own, for synchronous callers."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from opentelemetry.context import Context

from ..tracing import context_of, current_context, producing
from .client import Bus, BusUnavailable, StreamSpec

T = TypeVar("T")


class BusThread:
    """Publishes from threads (publishing's relay) through one connection kept on a
    daemon thread's event loop; each call waits for JetStream's acknowledgements.

    It connects lazily and again after a failure, so that NATS may start after the
    service, go away and come back: a call in between raises `BusUnavailable`.
    """

    def __init__(self, bus: Bus, *, streams: Sequence[StreamSpec] = ()) -> None:
        self.bus = bus
        self._streams = list(streams)
        self._ready = False
        self._loop = asyncio.new_event_loop()
        # Started by the first call: an app built and never served starts no thread.
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"bus-{bus.name}", daemon=True
        )
        self._start_lock = threading.Lock()

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        with self._start_lock:
            if not self._thread.is_alive():
                self._thread.start()
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            future.cancel()
            raise BusUnavailable(f"NATS at {self.bus.url} did not answer in {timeout}s") from exc

    async def _prepared(self) -> None:
        if self._ready and self.bus.connected:
            return
        await self.bus.connect()
        await self.bus.ensure_streams(*self._streams)
        self._ready = True

    async def _publish_pipelined(
        self,
        messages: Sequence[tuple[str, bytes, str]],
        timeout: float,
        parents: Sequence[Context],
    ) -> int:
        """Send every message, then wait for their acknowledgements together: one round
        trip for the batch instead of one per message. Answers how many, from the first,
        were stored; the server refuses each message whose predecessor was not stored
        (`Bus.publish_pipelined`), so those are a prefix and the rest go again later."""
        await self._prepared()
        acks: list[asyncio.Future[Any]] = []
        previous: str | None = None
        for (subject, data, message_id), parent in zip(messages, parents, strict=True):
            with producing(subject, parent) as headers:
                acks.append(
                    await self.bus.publish_pipelined(
                        subject, data, message_id=message_id, after=previous, headers=headers
                    )
                )
            previous = message_id
        await asyncio.wait(acks, timeout=timeout)
        outcomes = [_outcome(ack) for ack in acks]
        stored = next((n for n, error in enumerate(outcomes) if error is not None), len(acks))
        if stored < len(acks):
            raise PartialPublish(stored, outcomes[stored] or BusUnavailable("no answer"))
        return stored

    def publish_all(
        self,
        messages: Sequence[tuple[str, bytes, str]],
        *,
        timeout: float = 5.0,
        trace_parents: Sequence[str | None] = (),
    ) -> int:
        """Store `(subject, data, message_id)` messages in order; answers how many were
        stored before the first failure, which raises `PartialPublish`.

        `trace_parents`, when given, holds each message's `traceparent` (the request that
        caused it): its span continues that trace, else the caller's.
        """
        # This loop's thread does not share the caller's context: pass its trace on.
        caller = current_context()
        given = list(trace_parents) or [None] * len(messages)
        parents = [context_of(parent) or caller for parent in given]
        try:
            return self._call(
                self._publish_pipelined(messages, timeout, parents), timeout=timeout + 5.0
            )
        except PartialPublish as exc:
            self._ready = False
            raise exc
        except Exception as exc:
            self._ready = False
            raise PartialPublish(0, exc) from exc

    def close(self, timeout: float = 5.0) -> None:
        if not self._thread.is_alive():
            self._loop.close()
            return
        # A NATS that is gone cannot be drained: closing goes on regardless.
        with contextlib.suppress(Exception):
            self._call(self.bus.close(), timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)


def _outcome(ack: asyncio.Future[Any]) -> Exception | None:
    """None when JetStream stored the message, else why not (the wait is over: an
    acknowledgement still missing is given up)."""
    if not ack.done():
        ack.cancel()
        return BusUnavailable("JetStream did not acknowledge in time")
    if ack.cancelled():
        return BusUnavailable("the publish was cancelled")
    error = ack.exception()
    return error if error is None or isinstance(error, Exception) else Exception(repr(error))


class PartialPublish(Exception):
    """The first `stored` messages were stored; the next one was not."""

    def __init__(self, stored: int, cause: Exception) -> None:
        super().__init__(f"{stored} stored, then: {cause!r}")
        self.stored = stored
        self.cause = cause
