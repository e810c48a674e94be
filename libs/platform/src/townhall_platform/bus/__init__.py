"""The event bus: NATS JetStream, as every service uses it.

A service that publishes (publishing's relay) or consumes (search's indexer,
notifications) needs four things, all here:

    bus = Bus(settings.nats_url, name="search", replicas=settings.nats_stream_replicas,
              credentials=NatsCredentials.of(settings))  # user/password, creds file, TLS CA
    await bus.connect()           # keeps reconnecting on its own afterwards
    await bus.ensure_streams()    # the events stream and the dead-letter stream
    await bus.publish(event)      # `Nats-Msg-Id` = the event's message id (dedup)
    await bus.run_consumer("search-indexer", handler, subjects=[...])  # until cancelled
    await bus.close()

`run_consumer` runs a durable pull consumer with explicit acks: a handler that raises
has its message redelivered after a delay (without limit when it raises `RetryLater`:
a dependency is down); after `max_deliver` deliveries the message
goes to `DEAD_LETTER_SUBJECT` (kept in its own stream, with the original subject in the
`Townhall-Original-Subject` header), is acked and counted in
`townhall_bus_dead_letters_total`: a poison message never blocks the stream. Handlers
must be idempotent: after a crash between the effect and the ack, a message comes again.

Synchronous code (publishing's relay thread) publishes through `BusThread`, which owns
a `Bus` on an event loop of its own. Tests start a real server with `testing.NatsServer`.
"""

from __future__ import annotations

from .client import DEAD_LETTER_STREAM, Bus, BusUnavailable, NatsCredentials, StreamSpec
from .consumer import ConsumerOptions
from .message import BatchHandler, Handler, Message, Poison, RetryLater
from .metrics import BusMetrics
from .threaded import BusThread, PartialPublish

__all__ = [
    "DEAD_LETTER_STREAM",
    "BatchHandler",
    "Bus",
    "BusMetrics",
    "BusThread",
    "BusUnavailable",
    "ConsumerOptions",
    "Handler",
    "Message",
    "NatsCredentials",
    "PartialPublish",
    "Poison",
    "RetryLater",
    "StreamSpec",
]
