"""The durable pull-consumer loop behind `Bus.run_consumer`.

Each round fetches up to a batch of messages (a long poll: a message is handed over as
soon as it is stored), hands them to the service, and acks each one it handled. A
message whose handler raised is redelivered by the server after `retry_delay_seconds`
(a nak with delay), so the messages behind it go on; at its `max_deliver`-th delivery,
or at once when the handler raises `Poison`, it is copied to the dead-letter subject
with the reason and acked. A handler that raises `RetryLater` (a dependency is down)
has its message redelivered after `retry_later_seconds` without limit. A connection
that drops is re-established and the consumer resumes from its last ack: the server
keeps its position.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from ..tracing import consuming, consuming_batch
from .message import BatchHandler, Handler, Message, Poison, RetryLater

if TYPE_CHECKING:
    from .client import Bus

_log = structlog.get_logger("townhall.bus")

ORIGINAL_SUBJECT = "Townhall-Original-Subject"
DEAD_LETTER_REASON = "Townhall-Dead-Letter-Reason"
DEAD_LETTER_CONSUMER = "Townhall-Consumer"


@dataclass(frozen=True)
class ConsumerOptions:
    # How many messages one round takes; a batch handler gets them together.
    batch_size: int = 100
    # How long one fetch waits for a first message before the loop comes round again.
    fetch_wait_seconds: float = 1.0
    # How long the rest of a batch is waited for once a first message came.
    drain_wait_seconds: float = 0.005
    # Deliveries before a failing message goes to the dead-letter subject.
    max_deliver: int = 5
    retry_delay_seconds: float = 1.0
    # Redelivery delay of a message whose handler raised `RetryLater` (no limit on those).
    retry_later_seconds: float = 2.0
    # A message not acked within this time (a consumer that died) is delivered again.
    ack_wait_seconds: float = 30.0
    max_ack_pending: int = 10_000
    # Pause before connecting again after NATS went away.
    reconnect_delay_seconds: float = 0.5
    dead_letter_subject: str = "townhall.deadletter.events"


async def consume(
    bus: Bus,
    durable: str,
    handler: Handler,
    *,
    subjects: list[str],
    stream: str,
    options: ConsumerOptions,
    batch_handler: BatchHandler | None,
    on_idle: Callable[[], None] | None = None,
) -> None:
    failures = 0
    while True:
        try:
            await bus.connect()
            subscription = await _subscribe(bus, durable, subjects, stream, options)
            failures = 0
            while True:
                try:
                    fetched = await _next_batch(subscription, options)
                except (NatsTimeoutError, TimeoutError):
                    # Nothing waits: everything stored before this fetch was handled.
                    if on_idle is not None:
                        on_idle()
                    continue
                await _handle(bus, durable, fetched, handler, batch_handler, options)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # NATS down, the stream not created yet, a connection reset: start over. The
            # first failure of a streak is a warning; the retries that follow are debug.
            failures += 1
            log = _log.warning if failures == 1 else _log.debug
            log("bus_consumer_restarting", consumer=durable, error=repr(exc)[:300])
            await asyncio.sleep(options.reconnect_delay_seconds)


async def _next_batch(
    subscription: JetStreamContext.PullSubscription, options: ConsumerOptions
) -> list[Msg]:
    """The first message as soon as it is stored, with whatever else is stored already.

    One `fetch(batch_size)` would hold a lone message until the wait ends or the batch
    fills (nats-py waits for the rest of a batch), which made a quiet system's freshness
    the fetch wait; a long poll for one message, then a short one for the rest, does not.
    """
    fetched = await subscription.fetch(1, timeout=options.fetch_wait_seconds)
    if options.batch_size > 1:
        with contextlib.suppress(NatsTimeoutError, TimeoutError):
            fetched += await subscription.fetch(
                options.batch_size - 1, timeout=options.drain_wait_seconds
            )
    return fetched


async def _subscribe(
    bus: Bus, durable: str, subjects: list[str], stream: str, options: ConsumerOptions
) -> JetStreamContext.PullSubscription:
    config = ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        # The loop dead-letters at `max_deliver`; the server never stops redelivering.
        max_deliver=-1,
        ack_wait=options.ack_wait_seconds,
        max_ack_pending=options.max_ack_pending,
        filter_subjects=subjects,
    )
    try:
        await bus.js.add_consumer(stream, config)
    except Exception as exc:
        # It exists with another configuration: keep it (its position is what matters).
        _log.info("bus_consumer_kept", consumer=durable, reason=repr(exc)[:200])
    return await bus.js.pull_subscribe_bind(durable=durable, stream=stream)


def _message(raw: Msg) -> Message:
    metadata = raw.metadata
    return Message(
        subject=raw.subject,
        data=raw.data,
        headers=dict(raw.headers or {}),
        num_delivered=metadata.num_delivered,
        stream_sequence=metadata.sequence.stream,
    )


async def _handle(
    bus: Bus,
    durable: str,
    fetched: Sequence[Msg],
    handler: Handler,
    batch_handler: BatchHandler | None,
    options: ConsumerOptions,
) -> None:
    if batch_handler is not None and len(fetched) > 1:
        messages = [_message(raw) for raw in fetched]
        try:
            with consuming_batch(messages[0].subject, [m.headers for m in messages]):
                await batch_handler(messages)
        except RetryLater as exc:
            # A dependency is down: each message is deferred on its own, quietly.
            _log.debug("bus_batch_deferred", consumer=durable, reason=str(exc)[:300])
        except Exception as exc:
            # One bad message must not hold the others: each is handled on its own.
            _log.warning("bus_batch_failed", consumer=durable, error=repr(exc)[:300])
        else:
            for raw in fetched:
                await raw.ack()
            _count(bus, "handled", durable, len(fetched))
            return
    for raw in fetched:
        await _handle_one(bus, durable, raw, handler, options)


async def _handle_one(
    bus: Bus, durable: str, raw: Msg, handler: Handler, options: ConsumerOptions
) -> None:
    message = _message(raw)
    try:
        with consuming(message.subject, message.headers):
            await handler(message)
    except Poison as exc:
        await _dead_letter(bus, durable, raw, message, f"poison: {exc}", options)
    except RetryLater as exc:
        # Expected while a dependency is down, once per message per delay: not a warning.
        _log.debug(
            "bus_message_deferred", consumer=durable, subject=message.subject, reason=str(exc)
        )
        await raw.nak(delay=options.retry_later_seconds)
        _count(bus, "retried", durable)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if message.num_delivered >= options.max_deliver:
            await _dead_letter(bus, durable, raw, message, reason, options)
            return
        _log.warning(
            "bus_message_retried",
            consumer=durable,
            subject=message.subject,
            delivery=message.num_delivered,
            error=reason[:300],
        )
        await raw.nak(delay=options.retry_delay_seconds)
        _count(bus, "retried", durable)
    else:
        await raw.ack()
        _count(bus, "handled", durable)


async def _dead_letter(
    bus: Bus, durable: str, raw: Msg, message: Message, reason: str, options: ConsumerOptions
) -> None:
    """Keep the message on the dead-letter subject, then ack it; if the dead letter
    cannot be stored, the message stays unacked and comes again."""
    original_id = message.headers.get("Nats-Msg-Id", str(message.stream_sequence))
    headers = {
        ORIGINAL_SUBJECT: message.subject,
        DEAD_LETTER_REASON: reason[:1000],
        DEAD_LETTER_CONSUMER: durable,
    }
    await bus.publish(
        options.dead_letter_subject,
        message.data,
        message_id=f"{durable}:{original_id}",
        headers=headers,
    )
    await raw.ack()
    _log.error(
        "bus_message_dead_lettered",
        consumer=durable,
        subject=message.subject,
        deliveries=message.num_delivered,
        reason=reason[:300],
    )
    _count(bus, "dead_letters", durable)


def _count(bus: Bus, what: str, durable: str, amount: int = 1) -> None:
    if bus.metrics is not None:
        getattr(bus.metrics, what).labels(consumer=durable).inc(amount)
