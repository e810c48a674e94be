"""The outbox relay: in order, never dropping or skipping, retrying with backoff."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_clients import SearchClient
from townhall_contracts.search import DocumentType, IndexDocument
from townhall_platform.auth import TokenIssuer
from townhall_publishing.database import utcnow
from townhall_publishing.outbox.metrics import RelayMetrics
from townhall_publishing.outbox.relay import OutboxRelay
from townhall_publishing.outbox.repository import RELAY_LOCK_KEY, OutboxRepository
from townhall_publishing.settings import PublishingSettings

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


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def make_relay(
    engine: Engine, search, token_issuer: TokenIssuer, clock: ManualClock, registry
) -> Callable[..., OutboxRelay]:
    def build(batch_size: int = 500) -> OutboxRelay:
        client = SearchClient(
            "http://search.test",
            token=lambda: token_issuer.service_token("publishing"),
            retries=1,
            transport=httpx.MockTransport(search.handle),
        )
        return OutboxRelay(
            engine=engine,
            search=client,
            metrics=RelayMetrics.register(registry),
            batch_size=batch_size,
            initial_backoff=0.2,
            max_backoff=5.0,
            clock=clock,
        )

    return build


def drain(relay: OutboxRelay, search) -> None:
    """Deliver whatever earlier tests of the module left, so each test sees only its own."""
    mode, search.mode = search.mode, "up"
    while True:
        outcome = relay.run_once()
        assert outcome.error is None
        if outcome.retry_in:
            relay._clock.advance(outcome.retry_in)  # type: ignore[attr-defined]
            continue
        if outcome.delivered == 0:
            break
    search.mode = mode
    search.acknowledged.clear()
    search.attempts = 0


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


async def test_relay_delivers_pending_events_in_order_and_marks_them(
    client: httpx.AsyncClient, auth: Auth, make_relay, search, db, registry
) -> None:
    relay = make_relay()
    drain(relay, search)
    delivered_before = registry.get_sample_value(DELIVERED) or 0.0
    doc_ids = await write_changes(client, auth, posts=3)
    waiting = pending_ids(db)
    assert len(waiting) == 4

    outcome = relay.run_once()

    assert outcome.delivered == 4
    assert outcome.error is None
    assert search.acknowledged == [waiting]
    assert set(doc_ids) <= set(search.documents)
    assert search.documents[doc_ids[-1]]["doc_type"] == "comment"
    assert pending_ids(db) == []
    assert (
        db.count(
            "outbox", "id IN (:a, :b) AND delivered_at IS NOT NULL", a=waiting[0], b=waiting[-1]
        )
        == 2
    )
    assert registry.get_sample_value(DELIVERED) == delivered_before + 4
    assert registry.get_sample_value(PENDING) == 0
    assert relay.run_once().delivered == 0


async def test_relay_batches_keep_the_order(
    client: httpx.AsyncClient, auth: Auth, make_relay, search, db
) -> None:
    relay = make_relay(batch_size=2)
    drain(relay, search)
    await write_changes(client, auth, posts=4)
    waiting = pending_ids(db)

    passes = [relay.run_once() for _ in range(3)]

    assert [p.delivered for p in passes] == [2, 2, 1]
    assert [p.batch_full for p in passes] == [True, True, False]
    assert search.acknowledged == [waiting[0:2], waiting[2:4], waiting[4:5]]


async def test_failed_deliveries_keep_the_events_and_retry_after_backoff(
    client: httpx.AsyncClient, auth: Auth, make_relay, search, db, clock, registry
) -> None:
    relay = make_relay()
    drain(relay, search)
    failures_before = registry.get_sample_value(FAILURES) or 0.0
    await write_changes(client, auth, posts=2)
    first = pending_ids(db)

    search.mode = "down"
    down = relay.run_once()

    assert down.delivered == 0
    assert down.error is not None and "unreachable" in down.error
    assert down.retry_in == pytest.approx(0.2)
    rows = db.rows(
        "SELECT attempts, last_error, next_attempt_at, delivered_at FROM outbox "
        "WHERE delivered_at IS NULL ORDER BY id"
    )
    assert len(rows) == len(first)
    assert all(row["attempts"] == 1 and row["last_error"] for row in rows)
    assert all(row["next_attempt_at"] is not None for row in rows)

    # Before the backoff is over the relay does not even try.
    attempts = search.attempts
    waiting = relay.run_once()
    assert search.attempts == attempts
    assert waiting.retry_in is not None and 0 < waiting.retry_in <= 0.2

    # More changes while search is away queue up behind the failed ones.
    await write_changes(client, auth, posts=1)
    everything = pending_ids(db)
    assert everything[: len(first)] == first

    clock.advance(0.25)
    search.mode = "failing"
    failing = relay.run_once()
    assert failing.error is not None and "503" in failing.error
    assert failing.retry_in == pytest.approx(0.4)
    attempts_by_id = {
        row["id"]: row["attempts"] for row in db.rows("SELECT id, attempts FROM outbox")
    }
    assert [attempts_by_id[i] for i in everything] == [2] * len(first) + [1] * (
        len(everything) - len(first)
    )

    clock.advance(0.5)
    search.mode = "up"
    recovered = relay.run_once()

    assert recovered.delivered == len(everything)
    assert search.delivered_event_ids == everything
    assert pending_ids(db) == []
    assert registry.get_sample_value(FAILURES) == failures_before + 2


async def test_redelivery_after_a_lost_acknowledgement_changes_nothing_in_search(
    client: httpx.AsyncClient, auth: Auth, make_relay, search, db, clock
) -> None:
    relay = make_relay()
    drain(relay, search)
    await write_changes(client, auth, posts=1)
    waiting = pending_ids(db)

    search.mode = "ack-lost"
    assert relay.run_once().error is not None
    versions = dict(search.versions)
    assert pending_ids(db) == waiting
    clock.advance(1)
    search.mode = "up"

    assert relay.run_once().delivered == len(waiting)
    # Search saw the same versions again and skipped them: nothing applied twice.
    assert search.versions == versions
    assert search.acknowledged == [waiting]
    assert pending_ids(db) == []


def test_backoff_doubles_and_is_capped(make_relay) -> None:
    relay = make_relay()

    assert [relay.backoff(n) for n in range(1, 8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert relay.backoff(10_000) == 5.0


async def test_only_one_instance_relays_at_a_time_on_postgresql(
    client: httpx.AsyncClient, auth: Auth, make_relay, search, db, engine: Engine, backend: str
) -> None:
    relay = make_relay()
    drain(relay, search)
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
            assert search.acknowledged == []
            assert pending_ids(db) == waiting
        else:
            # The embedded SQLite default runs a single instance: there is no lock to take.
            assert not outcome.locked_out
            assert outcome.delivered == len(waiting)

    relay.run_once()
    assert search.delivered_event_ids == waiting
    assert pending_ids(db) == []


async def test_the_app_relays_in_the_background_through_a_search_outage(
    make_app, settings: PublishingSettings, serve, auth: Auth, search, db
) -> None:
    fast = settings.model_copy(
        update={
            "relay_enabled": True,
            "relay_poll_interval_seconds": 0.02,
            "relay_initial_backoff_seconds": 0.02,
            "relay_max_backoff_seconds": 0.1,
        }
    )
    app = make_app(fast)
    search.mode = "down"
    async with serve(app) as client:
        assert app.state.relay.running
        doc_ids = await write_changes(client, auth, posts=3)
        await eventually(lambda: search.attempts >= 3)
        assert search.acknowledged == []
        assert set(doc_ids) <= set(
            d["doc_id"] for d in db.rows("SELECT doc_id FROM outbox WHERE delivered_at IS NULL")
        )

        search.mode = "up"
        await eventually(lambda: set(doc_ids) <= set(search.documents))
        await eventually(lambda: not pending_ids(db))
        delivered = search.delivered_event_ids
        assert len(delivered) == len(set(delivered)), "an event was delivered twice"
        assert delivered == sorted(delivered)
        outbox_ids = [row["id"] for row in db.rows("SELECT id FROM outbox ORDER BY id")]
        assert outbox_ids[-len(delivered) :] == delivered
        metrics = (await client.get("/metrics")).text
        assert f"{PENDING} 0.0" in metrics
        assert "townhall_publishing_outbox_lag_seconds 0.0" in metrics
        assert f"{DELIVERED} {float(len(delivered))}" in metrics
    assert not app.state.relay.running


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


def _document(doc_id: str) -> IndexDocument:
    moment = utcnow()
    return IndexDocument(
        id=doc_id,
        doc_type=DocumentType.POST,
        kind="social",
        space_id="engineering",
        author_id="alice",
        title="Ordering",
        body="Ids follow commits.",
        state="published",
        readers=["org"],
        created_at=moment,
        updated_at=moment,
    )


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
