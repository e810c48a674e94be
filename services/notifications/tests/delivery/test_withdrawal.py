"""A withdrawn submission is told to the approvers who were asked to approve it: over a
real NATS JetStream server, each by the channel they chose, in their language."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from townhall_contracts.events import STREAM, STREAM_SUBJECTS, Event, EventType, message_id
from townhall_contracts.events import subject_for as subject_of
from townhall_contracts.notifications import Channel, Language, NotificationKind, PreferencesUpdate
from townhall_notifications.app import create_app
from townhall_notifications.bus import BusConsumer
from townhall_notifications.delivery.models import AppliedEvent, Notification
from townhall_notifications.mail.sink import SmtpSink, read_mailbox
from townhall_notifications.settings import NotificationsSettings
from townhall_platform.bus import Bus, StreamSpec
from townhall_platform.bus.testing import NatsServer
from townhall_platform.db import session_scope
from townhall_platform.testing import EVENTUALLY_SECONDS, free_port

from ..conftest import event
from ..policy_stub import PolicyStub

WITHDRAWN = NotificationKind.SUBMISSION_WITHDRAWN.value


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    with NatsServer(tmp_path / "nats") as server:
        asyncio.run(_stream(server.url))
        yield server.url


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "sink", port=free_port()) as server:
        yield server


async def _stream(url: str) -> None:
    bus = Bus(url, name="test")
    await bus.connect()
    await bus.ensure_streams(StreamSpec(STREAM, STREAM_SUBJECTS))
    await bus.close()


async def _publish(url: str, *events: Event) -> None:
    connection = await nats.connect(url)
    js = connection.jetstream()
    for one in events:
        body = one.model_dump_json().encode()
        await js.publish(subject_of(one), body, headers={"Nats-Msg-Id": message_id(one)})
    await connection.close()


def _eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    while not check():
        assert time.monotonic() < deadline, f"waited {EVENTUALLY_SECONDS:.0f} s for {what}"
        time.sleep(0.05)


def _applied(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AppliedEvent)).one())


def _kinds(engine: Engine) -> dict[str, list[str]]:
    with Session(engine) as session:
        rows = session.exec(select(Notification).order_by(Notification.id)).all()  # type: ignore[arg-type]
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.recipient_id, []).append(row.kind)
    return found


def _run_through_the_bus(app: Any, url: str, *events: Event) -> None:
    state = app.state
    consumer = BusConsumer(
        url, durable="notifications", engine=state.engine, reach=state.reach, book=state.book
    )
    consumer.start()
    try:
        before = _applied(state.engine)
        asyncio.run(_publish(url, *events))
        _eventually(lambda: _applied(state.engine) == before + len(events), "the events to apply")
    finally:
        consumer.stop()


def test_the_approvers_asked_are_told_of_a_withdrawal_by_their_channel_and_language(
    settings: NotificationsSettings,
    policy: PolicyStub,
    engine: Engine,
    nats_url: str,
    sink: SmtpSink,
    as_user: Callable[[str], dict[str, str]],
) -> None:
    changed = settings.model_copy(update={"smtp_port": sink._controller.port})
    app = create_app(changed, policy_transport=httpx.MockTransport(policy.handle))
    post = {"post_id": "p7", "space_id": "general", "author_id": "claire", "title": "Budget"}
    policy.approvers |= {"claire", "emma"}
    with session_scope(engine) as session:
        app.state.book.update(session, "marc", PreferencesUpdate(language=Language.EN))
        in_app = PreferencesUpdate(channels={NotificationKind.SUBMISSION_WITHDRAWN: Channel.IN_APP})
        app.state.book.update(session, "emma", in_app)

    _run_through_the_bus(app, nats_url, event(EventType.POST_SUBMITTED, **post))
    # An approver named after the request was never asked: the withdrawal is not theirs.
    policy.approvers.add("chloe")
    _run_through_the_bus(app, nats_url, event(EventType.POST_WITHDRAWN, **post))

    kinds = _kinds(engine)
    assert kinds["marc"] == ["approval_requested", WITHDRAWN]
    assert kinds["emma"] == ["approval_requested", WITHDRAWN]
    assert "chloe" not in kinds and "claire" not in kinds

    with TestClient(app) as client:
        inbox = client.get("/v1/inbox", headers=as_user("marc")).json()
        [told] = [item for item in inbox["items"] if item["kind"] == WITHDRAWN]
        assert told["link"] == "/approvals"  # a draft again: only its author reads the post
        assert told["actor_id"] == "claire" and told["title"] == "Budget"
        app.state.jobs.run_once()

    subjects = {(m.to, m.subject) for m in read_mailbox(sink.directory)}
    assert ("marc@townhall.example", "A post no longer awaits your approval: Budget") in subjects
    # emma asked for withdrawals in the inbox only: his one mail is the request.
    assert [s for to, s in subjects if to == "emma@townhall.example"] == [
        "Une publication officielle attend votre approbation: Budget"
    ]


def test_a_withdrawal_nobody_was_asked_about_tells_nobody(
    app: Any, engine: Engine, policy: PolicyStub, nats_url: str
) -> None:
    post = {"post_id": "p8", "space_id": "general", "author_id": "claire", "title": "Draft"}
    _run_through_the_bus(app, nats_url, event(EventType.POST_WITHDRAWN, **post))
    assert _kinds(engine) == {}
