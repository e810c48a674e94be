"""Several publishing instances share one outbox: no event skipped, all in order on the bus."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.search import IndexDocument
from townhall_platform.db import make_engine
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_publishing.app import event_publisher
from townhall_publishing.outbox.metrics import RelayMetrics
from townhall_publishing.outbox.relay import OutboxRelay
from townhall_publishing.outbox.repository import OutboxRepository
from townhall_publishing.settings import PublishingSettings

from .documents import social_document


def _document(doc_id: str) -> IndexDocument:
    return social_document(doc_id)


def test_two_instances_relaying_while_writers_write_deliver_each_event_once_in_order(
    migrated_url: str, engine: Engine, settings: PublishingSettings, nats, stream
) -> None:
    engines = [make_engine(migrated_url) for _ in range(2)]
    publishers = [
        event_publisher(settings.model_copy(update={"nats_url": nats.url})) for _ in engines
    ]
    relays = [
        OutboxRelay(
            engine=instance,
            publisher=publisher,
            metrics=RelayMetrics.register(CollectorRegistry()),
            batch_size=7,
            poll_interval=0.01,
        )
        for instance, publisher in zip(engines, publishers, strict=True)
    ]
    # What earlier tests of the module left goes out first.
    while relays[0].run_once().delivered:
        pass
    before = len(stream.event_ids())

    written: list[int] = []
    versions: list[tuple[str, int]] = []
    lock = threading.Lock()

    def writer(instance: Engine) -> None:
        for number in range(40):
            with Session(instance, expire_on_commit=False) as session:
                doc_id = f"shared-{uuid.uuid4()}"
                # Two versions of the same document in one transaction and the next.
                for version in (1, 2) if number % 5 == 0 else (1,):
                    event_id = OutboxRepository(session).append_upsert(
                        document=_document(doc_id), version=version
                    )
                    with lock:
                        written.append(event_id)
                        versions.append((doc_id, version))
                session.commit()

    for relay in relays:
        relay.start()
    writers = [threading.Thread(target=writer, args=(instance,)) for instance in engines]
    try:
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(60)
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        while time.monotonic() < deadline and not set(written) <= set(stream.event_ids()):
            time.sleep(0.05)
    finally:
        for relay in relays:
            relay.stop()
        for publisher in publishers:
            publisher.close()
        for instance in engines:
            instance.dispose()

    # Every writer wrote all its events (40 transactions, 8 of them with two versions).
    assert len(written) == len(engines) * 48
    events = stream.events()[before:]
    delivered = [event.id for event in events]
    # Nothing skipped: every event reached the stream.
    assert set(delivered) == set(written)
    # Versions in order per document, as a consumer reads them.
    applied = [(event.data["doc_id"], event.data["version"]) for event in events]
    for doc_id in {doc for doc, _ in versions}:
        assert [v for d, v in applied if d == doc_id] == [v for d, v in versions if d == doc_id]
    # Instances take turns (PostgreSQL: an advisory lock; SQLite: a file lock): each event
    # is stored once, in order.
    duplicates = [event_id for event_id, n in Counter(delivered).items() if n > 1]
    assert duplicates == []
    assert delivered == sorted(delivered)
