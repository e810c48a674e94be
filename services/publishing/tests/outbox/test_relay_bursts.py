"""The relay under a burst of commits: passes cover everything new, batches go out
pipelined, and each event reaches the stream once, in order, NATS down or not.

Writers commit from threads while the relay's own thread runs, woken by their commits
(its safety poll is out of reach), against a real `nats-server -js` (the `nats` fixture).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.search import IndexDocument
from townhall_platform.bus import BusThread
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_publishing.app import event_publisher
from townhall_publishing.database import write_session
from townhall_publishing.outbox.metrics import RelayMetrics
from townhall_publishing.outbox.relay import OutboxRelay
from townhall_publishing.outbox.repository import OutboxRepository
from townhall_publishing.settings import PublishingSettings

from .documents import social_document

WRITERS = 4
COMMITS = 50


@pytest.fixture
def publisher(settings: PublishingSettings, nats: NatsServer) -> BusThread:
    publisher = event_publisher(settings.model_copy(update={"nats_url": nats.url}))
    yield publisher
    publisher.close()


@pytest.fixture
def relay(engine: Engine, publisher: BusThread) -> OutboxRelay:
    relay = OutboxRelay(
        engine=engine,
        publisher=publisher,
        metrics=RelayMetrics.register(CollectorRegistry()),
        batch_size=500,
        poll_interval=3600,
        publish_timeout=1.0,
        initial_backoff=0.02,
        max_backoff=0.1,
    )
    # What earlier tests of the module left goes out first.
    while relay.run_once(respect_backoff=False).delivered:
        pass
    yield relay
    relay.stop()


def _document(doc_id: str) -> IndexDocument:
    return social_document(doc_id, title="Burst", body="One of many.")


def _burst(engine: Engine, written: list[int], during: Callable[[], None] = lambda: None) -> None:
    """`WRITERS` threads commit `COMMITS` transactions each, two events a transaction
    (a post's document and its next version); `during` runs once half of them are in."""
    lock = threading.Lock()
    halfway = threading.Barrier(WRITERS + 1)

    def writer() -> None:
        for number in range(COMMITS):
            if number == COMMITS // 2:
                halfway.wait(EVENTUALLY_SECONDS)
            with write_session(engine) as session:
                doc_id = f"burst-{uuid.uuid4()}"
                outbox = OutboxRepository(session)
                ids = [outbox.append_upsert(document=_document(doc_id), version=v) for v in (1, 2)]
            with lock:
                written.extend(ids)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    halfway.wait(EVENTUALLY_SECONDS)
    during()
    for thread in threads:
        thread.join(EVENTUALLY_SECONDS)


def _wait_for_delivery(engine: Engine, what: str) -> None:
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    while True:
        with Session(engine) as session:
            if OutboxRepository(session).backlog().pending == 0:
                return
        assert time.monotonic() < deadline, f"waited for {what}"
        time.sleep(0.02)


def test_a_burst_of_commits_is_delivered_once_and_in_order(
    engine: Engine, relay: OutboxRelay, stream
) -> None:
    before = len(stream.event_ids())
    relay.start()
    written: list[int] = []

    _burst(engine, written)
    _wait_for_delivery(engine, "the burst to go out")

    assert len(written) == WRITERS * COMMITS * 2
    # Every event once, in the order of the outbox (which is the commit order).
    assert stream.event_ids()[before:] == sorted(written)


def test_nats_down_in_the_middle_of_a_burst_loses_nothing(
    engine: Engine, relay: OutboxRelay, stream, nats: NatsServer
) -> None:
    before = len(stream.event_ids())
    relay.start()
    written: list[int] = []

    _burst(engine, written, during=nats.stop)
    with Session(engine) as session:
        assert OutboxRepository(session).backlog().pending > 0  # NATS is away: they wait
    nats.start()
    # A commit wakes the relay (its backoff would too, soon after).
    with write_session(engine) as session:
        written.append(
            OutboxRepository(session).append_upsert(document=_document("after"), version=1)
        )
    _wait_for_delivery(engine, "the backlog to go out once NATS is back")

    assert len(written) == WRITERS * COMMITS * 2 + 1
    assert stream.event_ids()[before:] == sorted(written)
