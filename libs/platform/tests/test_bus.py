"""The event bus against a real `nats-server -js`: order, dedup, retries, dead letters.

Each test starts its own server on a free port with a temporary store; waits end as soon
as the expected state is reached and say what they waited for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from townhall_platform.bus import (
    DEAD_LETTER_STREAM,
    Bus,
    BusMetrics,
    BusThread,
    BusUnavailable,
    ConsumerOptions,
    Message,
    PartialPublish,
    Poison,
    RetryLater,
    StreamSpec,
)
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import EVENTUALLY_SECONDS

STREAM = StreamSpec("TEST_EVENTS", ["test.events.>"])
FAST = ConsumerOptions(
    fetch_wait_seconds=0.2,
    retry_delay_seconds=0.05,
    retry_later_seconds=0.05,
    max_deliver=3,
    reconnect_delay_seconds=0.1,
    ack_wait_seconds=1.0,
    dead_letter_subject="townhall.deadletter.test",
)


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    with NatsServer(tmp_path / "nats") as server:
        yield server


async def _eventually(what: str, condition: Callable[[], bool]) -> None:
    deadline = asyncio.get_running_loop().time() + EVENTUALLY_SECONDS
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waited {EVENTUALLY_SECONDS}s for {what}")
        await asyncio.sleep(0.02)


async def _bus(url: str, registry: CollectorRegistry | None = None) -> Bus:
    metrics = BusMetrics.register(registry) if registry is not None else None
    bus = Bus(url, name="test", metrics=metrics)
    await bus.connect()
    await bus.ensure_streams(STREAM)
    return bus


async def _consume(
    bus: Bus, durable: str, handler: Callable[[Message], Awaitable[None]]
) -> asyncio.Task[None]:
    return asyncio.create_task(
        bus.run_consumer(
            durable, handler, subjects=["test.events.>"], stream=STREAM.name, options=FAST
        )
    )


def test_messages_arrive_in_the_order_they_were_published(nats: NatsServer) -> None:
    async def scenario() -> None:
        bus = await _bus(nats.url)
        for number in range(50):
            await bus.publish(
                f"test.events.n{number % 3}", str(number).encode(), message_id=f"m-{number}"
            )
        seen: list[int] = []

        async def handler(message: Message) -> None:
            seen.append(int(message.data))

        task = await _consume(bus, "ordered", handler)
        await _eventually("50 messages", lambda: len(seen) == 50)
        task.cancel()
        await bus.close()
        assert seen == list(range(50))

    asyncio.run(scenario())


def test_a_retried_publish_is_stored_once(nats: NatsServer) -> None:
    async def scenario() -> None:
        bus = await _bus(nats.url)
        assert await bus.publish("test.events.a", b"1", message_id="same")
        assert not await bus.publish("test.events.a", b"1", message_id="same")
        info = await bus.js.stream_info(STREAM.name)
        await bus.close()
        assert info.state.messages == 1

    asyncio.run(scenario())


def test_a_poison_message_goes_to_the_dead_letter_subject_and_the_rest_go_on(
    nats: NatsServer,
) -> None:
    registry = CollectorRegistry()

    async def scenario() -> None:
        bus = await _bus(nats.url, registry)
        for number, body in enumerate([b"1", b"boom", b"3", b"not-json"]):
            await bus.publish("test.events.x", body, message_id=f"p-{number}")
        handled: list[bytes] = []
        attempts: dict[bytes, int] = {}

        async def handler(message: Message) -> None:
            attempts[message.data] = message.num_delivered
            if message.data == b"boom":
                raise RuntimeError("this one always fails")
            if message.data == b"not-json":
                raise Poison("unreadable")
            handled.append(message.data)

        task = await _consume(bus, "poisoned", handler)
        dead = await bus.js.pull_subscribe("townhall.deadletter.test", stream=DEAD_LETTER_STREAM)
        letters: list[Message] = []

        async def two_letters() -> bool:
            for raw in await dead.fetch(2, timeout=EVENTUALLY_SECONDS):
                letters.append(Message(raw.subject, raw.data, dict(raw.headers or {}), 1, 0))
            return len(letters) == 2

        while not await two_letters():
            pass
        await _eventually("messages 1 and 3 handled", lambda: len(handled) == 2)
        task.cancel()
        await bus.close()
        assert handled == [b"1", b"3"]
        assert attempts[b"boom"] == FAST.max_deliver  # retried, then given up on
        assert attempts[b"not-json"] == 1  # poison: no retry
        assert {letter.data for letter in letters} == {b"boom", b"not-json"}
        assert all(
            letter.headers["Townhall-Original-Subject"] == "test.events.x" for letter in letters
        )

    asyncio.run(scenario())
    assert (
        registry.get_sample_value("townhall_bus_dead_letters_total", {"consumer": "poisoned"}) == 2
    )
    assert registry.get_sample_value("townhall_bus_retried_total", {"consumer": "poisoned"}) == 2


def test_a_message_deferred_by_retry_later_comes_again_past_max_deliver(
    nats: NatsServer,
) -> None:
    """A dependency down for longer than `max_deliver` deliveries: the message is not
    dead-lettered, it is handled once the dependency is back."""
    registry = CollectorRegistry()
    deferrals = FAST.max_deliver * 2

    async def scenario() -> None:
        bus = await _bus(nats.url, registry)
        await bus.publish("test.events.w", b"waits", message_id="w-1")
        await bus.publish("test.events.w", b"behind", message_id="w-2")
        handled: list[tuple[bytes, int]] = []

        async def handler(message: Message) -> None:
            if message.data == b"waits" and message.num_delivered <= deferrals:
                raise RetryLater("policy is down")
            handled.append((message.data, message.num_delivered))

        task = await _consume(bus, "deferring", handler)
        await _eventually("the deferred message handled", lambda: len(handled) == 2)
        task.cancel()
        await bus.close()
        # The message behind it went on; the deferred one came back each time.
        assert dict(handled) == {b"behind": 1, b"waits": deferrals + 1}

    asyncio.run(scenario())
    assert registry.get_sample_value(
        "townhall_bus_dead_letters_total", {"consumer": "deferring"}
    ) in (None, 0)
    assert registry.get_sample_value("townhall_bus_retried_total", {"consumer": "deferring"}) == (
        deferrals
    )
    assert registry.get_sample_value("townhall_bus_handled_total", {"consumer": "deferring"}) == 2


def test_a_consumer_that_stops_mid_batch_resumes_after_its_last_ack(nats: NatsServer) -> None:
    async def scenario() -> None:
        bus = await _bus(nats.url)
        for number in range(20):
            await bus.publish("test.events.r", str(number).encode(), message_id=f"r-{number}")
        first: list[int] = []
        stop_at_ten = asyncio.Event()

        async def dies_at_ten(message: Message) -> None:
            number = int(message.data)
            if number == 10:
                stop_at_ten.set()
                await asyncio.Event().wait()  # killed here, message 10 never acked
            first.append(number)

        task = await _consume(bus, "resuming", dies_at_ten)
        await asyncio.wait_for(stop_at_ten.wait(), EVENTUALLY_SECONDS)
        task.cancel()
        await bus.close()
        # A new process: its consumer starts where the acks stopped.
        again = await _bus(nats.url)
        second: list[int] = []

        async def handler(message: Message) -> None:
            second.append(int(message.data))

        task = await _consume(again, "resuming", handler)
        # Message 10 comes back once its ack wait (short in FAST) has passed.
        await _eventually("messages 10 to 19 after the restart", lambda: len(second) >= 10)
        task.cancel()
        await again.close()
        assert first == list(range(10))
        assert sorted(set(second)) == list(range(10, 20))

    asyncio.run(scenario())


def test_the_thread_publisher_reports_nats_down_and_publishes_once_it_is_back(
    nats: NatsServer,
) -> None:
    publisher = BusThread(Bus(nats.url, name="relay", connect_timeout=0.5), streams=[STREAM])
    try:
        assert publisher.publish_all([("test.events.t", b"1", "t-1")]) == 1
        nats.stop()
        with pytest.raises(PartialPublish) as refused:
            publisher.publish_all([("test.events.t", b"2", "t-2")], timeout=0.5)
        assert refused.value.stored == 0
        nats.start()
        assert (
            publisher.publish_all([("test.events.t", b"1", "t-1"), ("test.events.t", b"2", "t-2")])
            == 2
        )

        async def count() -> int:
            bus = await _bus(nats.url)
            info = await bus.js.stream_info(STREAM.name)
            await bus.close()
            return info.state.messages

        assert asyncio.run(count()) == 2  # t-1 once: the retried publish was deduplicated
    finally:
        publisher.close()


def _stored_ids(url: str) -> list[str]:
    """The message ids the test stream holds, in its order."""

    async def read() -> list[str]:
        bus = await _bus(url)
        info = await bus.js.stream_info(STREAM.name)
        ids = []
        for sequence in range(info.state.first_seq, info.state.last_seq + 1):
            message = await bus.js.get_msg(STREAM.name, sequence)
            ids.append((message.headers or {})["Nats-Msg-Id"])
        await bus.close()
        return ids

    return asyncio.run(read())


def test_a_batch_is_stored_in_order_and_nothing_overtakes_a_refused_message(
    nats: NatsServer,
) -> None:
    publisher = BusThread(Bus(nats.url, name="relay"), streams=[STREAM])
    try:
        many = [("test.events.t", str(n).encode(), f"b-{n}") for n in range(300)]
        assert publisher.publish_all(many) == 300
        assert _stored_ids(nats.url) == [f"b-{n}" for n in range(300)]

        # The second message goes to a subject no stream keeps, so it is not stored:
        # the server then refuses the third, which was sent after it without waiting.
        batch = [
            ("test.events.t", b"1", "p-1"),
            ("nowhere.t", b"2", "p-2"),
            ("test.events.t", b"3", "p-3"),
        ]
        with pytest.raises(PartialPublish) as partial:
            publisher.publish_all(batch, timeout=2.0)
        assert partial.value.stored == 1
        assert _stored_ids(nats.url)[300:] == ["p-1"]

        fixed = [batch[0], ("test.events.t", b"2", "p-2"), batch[2]]
        assert publisher.publish_all(fixed) == 3
        assert _stored_ids(nats.url)[300:] == ["p-1", "p-2", "p-3"]
    finally:
        publisher.close()


def test_connecting_to_nothing_says_where(tmp_path: Path) -> None:
    async def scenario() -> None:
        bus = Bus("nats://127.0.0.1:1", name="test", connect_timeout=0.2)
        with pytest.raises(BusUnavailable, match=r"127\.0\.0\.1:1"):
            await bus.connect()

    asyncio.run(scenario())
