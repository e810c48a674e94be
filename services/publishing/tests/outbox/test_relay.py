"""The outbox relay: in order to NATS JetStream, never dropping or skipping, retrying
with backoff, deduplicated by the server when a publish is retried.

Each test has a real `nats-server -js` of its own (the `nats` fixture).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.events import EventType
from townhall_contracts.search import IndexDocument
from townhall_platform.bus import BusThread, PartialPublish
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_publishing.app import event_publisher
from townhall_publishing.database import utcnow
from townhall_publishing.outbox.metrics import RelayMetrics
from townhall_publishing.outbox.relay import OutboxRelay
from townhall_publishing.outbox.repository import RELAY_LOCK_KEY, OutboxRepository
from townhall_publishing.settings import PublishingSettings

from .documents import social_document

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
DELIVERED = "townhall_publishing_outbox_delivered_total"
FAILURES = "townhall_publishing_outbox_delivery_failures_total"
PENDING = "townhall_publishing_outbox_pending_events"


class ManualClock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class AckLost:
    """Publishes for real, then loses JetStream's answer (as a cut connection would)."""

    def __init__(self, publisher: BusThread) -> None:
        self.publisher = publisher
        self.lose = True

    def publish_all(
        self,
        messages: Sequence[tuple[str, bytes, str]],
        *,
        timeout: float = 5.0,
        trace_parents: Sequence[str | None] = (),
    ) -> int:
        stored = self.publisher.publish_all(messages, timeout=timeout, trace_parents=trace_parents)
        if self.lose:
            raise PartialPublish(0, TimeoutError("the acknowledgement was lost"))
        return stored


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def publisher(settings: PublishingSettings, nats: NatsServer) -> BusThread:
    publisher = event_publisher(
        settings.model_copy(update={"nats_url": nats.url, "http_timeout_seconds": 1.0})
    )
    yield publisher
    publisher.close()


@pytest.fixture
def make_relay(
    engine: Engine, publisher: BusThread, clock: ManualClock, registry
) -> Callable[..., OutboxRelay]:
    def build(batch_size: int = 500, through: object = None) -> OutboxRelay:
        return OutboxRelay(
            engine=engine,
            publisher=through or publisher,  # type: ignore[arg-type]
            metrics=RelayMetrics.register(registry),
            batch_size=batch_size,
            initial_backoff=0.2,
            max_backoff=5.0,
            publish_timeout=1.0,
            clock=clock,
        )

    return build


def drain(relay: OutboxRelay) -> None:
    """Publish whatever earlier tests of the module left, so each test sees only its own."""
    while True:
        outcome = relay.run_once(respect_backoff=False)
        assert outcome.error is None, outcome.error
        if outcome.delivered == 0:
            break


def pending_ids(db) -> list[int]:
    rows = db.rows("SELECT id FROM outbox WHERE delivered_at IS NULL ORDER BY id")
    return [row["id"] for row in rows]


async def write_changes(client: httpx.AsyncClient, auth: Auth, posts: int) -> list[str]:
    doc_ids = []
    for number in range(posts):
        response = await client.post(
            "/v1/posts",
            json={
                "space_id": "engineering",
                "kind": "social",
                "title": f"Release note {number}",
                "body": "Shipped.",
            },
            headers=auth("alice"),
        )
        assert response.status_code == 201
        doc_ids.append(response.json()["id"])
    comment = await client.post(
        f"/v1/posts/{doc_ids[0]}/comments", json={"body": "Nice"}, headers=auth("bob")
    )
    assert comment.status_code == 201
    doc_ids.append(comment.json()["id"])
    return doc_ids


async def test_relay_publishes_pending_events_in_order_and_marks_them(
    client: httpx.AsyncClient, auth: Auth, make_relay, stream, db, registry
) -> None:
    relay = make_relay()
    drain(relay)
    before = len(stream.events())
    delivered_before = registry.get_sample_value(DELIVERED) or 0.0
    doc_ids = await write_changes(client, auth, posts=3)
    waiting = pending_ids(db)
    # Each post: its document and `post.published`; the comment: its document and
    # `comment.created`.
    assert len(waiting) == 8

    outcome = relay.run_once()

    assert outcome.delivered == 8
    assert outcome.error is None
    published = stream.events()[before:]
    assert [event.id for event in published] == waiting
    documents = [e.data["doc_id"] for e in published if e.type is EventType.DOCUMENT_UPSERTED]
    assert documents == doc_ids
    assert [e.type for e in published[-2:]] == [
        EventType.DOCUMENT_UPSERTED,
        EventType.COMMENT_CREATED,
    ]
    assert pending_ids(db) == []
    assert registry.get_sample_value(DELIVERED) == delivered_before + 8
    assert registry.get_sample_value(PENDING) == 0
    assert relay.run_once().delivered == 0


async def test_relay_batches_keep_the_order(
    client: httpx.AsyncClient, auth: Auth, make_relay, stream, db
) -> None:
    relay = make_relay(batch_size=4)
    drain(relay)
    before = len(stream.events())
    await write_changes(client, auth, posts=4)
    waiting = pending_ids(db)

    passes = [relay.run_once() for _ in range(3)]

    assert [p.delivered for p in passes] == [4, 4, 2]
    assert [p.batch_full for p in passes] == [True, True, False]
    assert stream.event_ids()[before:] == waiting


async def test_nats_down_keeps_the_events_and_they_go_out_in_order_once_it_is_back(
    client: httpx.AsyncClient, auth: Auth, make_relay, stream, nats, db, clock, registry
) -> None:
    relay = make_relay()
    drain(relay)
    before = len(stream.events())
    failures_before = registry.get_sample_value(FAILURES) or 0.0
    nats.stop()
    # Publishing goes on writing while NATS is away.
    await write_changes(client, auth, posts=2)
    first = pending_ids(db)

    down = relay.run_once()

    assert down.delivered == 0
    assert down.error is not None and "not published to NATS" in down.error
    assert down.retry_in == pytest.approx(0.2)
    rows = db.rows("SELECT attempts, last_error FROM outbox WHERE delivered_at IS NULL")
    assert len(rows) == len(first)
    assert all(row["attempts"] == 1 and row["last_error"] for row in rows)
    # Before the backoff is over the relay does not even try.
    waiting = relay.run_once()
    assert waiting.error is None and waiting.retry_in is not None and waiting.retry_in <= 0.2

    # More changes while NATS is away queue up behind the failed ones.
    await write_changes(client, auth, posts=1)
    everything = pending_ids(db)
    assert everything[: len(first)] == first

    nats.start()
    clock.advance(0.25)
    recovered = relay.run_once()

    assert recovered.delivered == len(everything)
    assert stream.event_ids()[before:] == everything  # all of them, once, in order
    assert pending_ids(db) == []
    assert registry.get_sample_value(FAILURES) == failures_before + 1


async def test_a_publish_retried_after_a_lost_acknowledgement_is_stored_once(
    client: httpx.AsyncClient, auth: Auth, make_relay, publisher, stream, db, clock
) -> None:
    lossy = AckLost(publisher)
    relay = make_relay(through=lossy)
    lossy.lose = False
    drain(relay)
    lossy.lose = True
    before = len(stream.events())
    await write_changes(client, auth, posts=1)
    waiting = pending_ids(db)

    assert relay.run_once().error is not None
    assert stream.event_ids()[before:] == waiting  # stored, but publishing never heard
    assert pending_ids(db) == waiting
    clock.advance(1)
    lossy.lose = False

    assert relay.run_once().delivered == len(waiting)
    assert stream.event_ids()[before:] == waiting  # the server dropped the duplicates
    assert pending_ids(db) == []


def test_backoff_doubles_and_is_capped(make_relay) -> None:
    relay = make_relay()

    assert [relay.backoff(n) for n in range(1, 8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert relay.backoff(10_000) == 5.0


async def test_only_one_instance_relays_at_a_time_on_postgresql(
    client: httpx.AsyncClient, auth: Auth, make_relay, stream, db, engine: Engine, backend: str
) -> None:
    relay = make_relay()
    drain(relay)
    before = len(stream.events())
    await write_changes(client, auth, posts=1)
    waiting = pending_ids(db)

    with engine.connect() as other_instance, other_instance.begin():
        if backend == "postgresql":
            other_instance.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
            )
        outcome = relay.run_once()
        if backend == "postgresql":
            assert outcome.locked_out
            assert outcome.delivered == 0
            assert pending_ids(db) == waiting
        else:
            # The embedded SQLite default runs a single instance: there is no lock to take.
            assert not outcome.locked_out
            assert outcome.delivered == len(waiting)

    relay.run_once()
    assert stream.event_ids()[before:] == waiting
    assert pending_ids(db) == []


async def test_the_commit_wakes_the_relay_and_an_outage_loses_nothing(
    make_app, settings: PublishingSettings, serve, auth: Auth, stream, nats, db
) -> None:
    # The safety poll is out of reach of the test: only a commit can wake the relay.
    fast = settings.model_copy(
        update={
            "nats_url": nats.url,
            "http_timeout_seconds": 1.0,
            "relay_enabled": True,
            "relay_poll_interval_seconds": 3600,
            "relay_initial_backoff_seconds": 0.02,
            "relay_max_backoff_seconds": 0.1,
        }
    )
    app = make_app(fast)
    async with serve(app) as client:
        assert app.state.relay.running
        await eventually(
            "the relay to publish what earlier tests left", lambda: not pending_ids(db)
        )
        before = len(stream.events())
        await write_changes(client, auth, posts=1)
        await eventually("a commit to wake the relay", lambda: not pending_ids(db))
        nats.stop()
        await write_changes(client, auth, posts=3)
        await eventually(
            "the relay to report NATS down",
            lambda: (db.rows("SELECT max(attempts) AS a FROM outbox")[0]["a"] or 0) >= 1,
        )
        assert len(pending_ids(db)) == 8
        nats.start()
        await write_changes(client, auth, posts=1)  # its commit wakes the relay again
        await eventually("the backlog to go out", lambda: not pending_ids(db))
        published = stream.event_ids()[before:]
        outbox_ids = [row["id"] for row in db.rows("SELECT id FROM outbox ORDER BY id")]
        assert published == outbox_ids[-len(published) :]
        assert len(published) == 4 + 8 + 4  # each write: its posts, their events, a comment
        metrics = (await client.get("/metrics")).text
        assert f"{PENDING} 0.0" in metrics
    assert not app.state.relay.running


async def eventually(what: str, condition: Callable[[], bool]) -> None:
    deadline = asyncio.get_running_loop().time() + EVENTUALLY_SECONDS
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"waited for {what}"
        await asyncio.sleep(0.02)


def _document(doc_id: str) -> IndexDocument:
    return social_document(doc_id, title="Ordering", body="Ids follow commits.")


def test_event_ids_follow_commit_order(engine: Engine) -> None:
    """A writer that took an event id commits before a later writer's event is visible,
    so the relay, reading in id order, can never overtake an event still in flight."""
    ids: dict[str, int | None] = {}
    second_done = threading.Event()

    def second_writer() -> None:
        with Session(engine, expire_on_commit=False) as second:
            ids["second"] = OutboxRepository(second).append_upsert(
                document=_document(f"second-{uuid.uuid4()}"), version=1
            )
            second.commit()
        second_done.set()

    with Session(engine, expire_on_commit=False) as first:
        ids["first"] = OutboxRepository(first).append_upsert(
            document=_document(f"first-{uuid.uuid4()}"), version=1
        )  # the first writer has its id, and has not committed yet
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not second_done.wait(0.3), "the second writer did not wait for the first"
        first.commit()
    thread.join(10)

    assert second_done.is_set()
    assert ids["first"] is not None and ids["second"] is not None
    assert ids["first"] < ids["second"]
