"""Mails through real SMTP servers (aiosmtpd): immediate notices, digests, failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from townhall_contracts.events import EventType
from townhall_notifications.app import create_app
from townhall_notifications.delivery.service import apply
from townhall_notifications.mail.models import OutgoingMail
from townhall_notifications.mail.sink import SmtpSink, read_mailbox
from townhall_notifications.settings import NotificationsSettings
from townhall_platform.db import session_scope
from townhall_platform.testing import ManualClock, free_port

from ..conftest import event, published
from ..policy_stub import PolicyStub
from .smtp_servers import refusing_server


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "sink", port=free_port()) as server:
        yield server


def _app(settings: NotificationsSettings, policy: PolicyStub, port: int, **changes: Any) -> Any:
    changed = settings.model_copy(update={"smtp_port": port, **changes})
    return create_app(changed, policy_transport=httpx.MockTransport(policy.handle))


def _apply(app: Any, *events: Any) -> None:
    with session_scope(app.state.engine) as session:
        for e in events:
            apply(session, e, reach=app.state.reach, book=app.state.book)


def _mails(engine: Engine) -> list[OutgoingMail]:
    with Session(engine) as session:
        return list(session.exec(select(OutgoingMail)).all())


def test_an_acknowledgement_due_is_mailed_at_once_in_the_users_language(
    settings: NotificationsSettings, policy: PolicyStub, sink: SmtpSink, engine: Engine
) -> None:
    app = _app(settings, policy, sink._controller.port)
    with session_scope(engine) as session:
        app.state.book.update(session, "bob", _english())
    _apply(
        app,
        published(
            "p1",
            "phoenix",
            author_id="alice",
            requires_acknowledgement=True,
            title="Fire drill <Friday>",
        ),
    )

    done = app.state.jobs.run_once()
    again = app.state.jobs.run_once()

    # The author's own notice waits for a digest, which may be due at this hour.
    assert (done["notices"], done["sent"]) == (2, 2 + done["digests"])
    assert (again["notices"], again["sent"]) == (0, 0)  # nothing mailed twice
    mails = {m.to: m for m in read_mailbox(sink.directory) if "alice" not in m.to}
    assert set(mails) == {"bob@townhall.example", "zoe@townhall.example"}
    english, french = mails["bob@townhall.example"], mails["zoe@townhall.example"]
    assert english.subject == "Please read and acknowledge: Fire drill <Friday>"
    assert french.subject.startswith("À lire et à confirmer")
    assert "http://127.0.0.1:8100/posts/p1" in english.text
    assert "Fire drill &lt;Friday&gt;" in english.html  # escaped in HTML
    assert english.list_unsubscribe.startswith("<http://127.0.0.1:8104/v1/unsubscribe?user=bob")


def test_the_digest_gathers_the_rest_once_per_period(
    settings: NotificationsSettings, policy: PolicyStub, sink: SmtpSink
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday, after 07:00
    app = _app(settings, policy, sink._controller.port)
    app.state.jobs.now = clock
    for i in range(3):
        _apply(
            app,
            published(
                f"s{i}",
                "engineering",
                kind="social",
                author_id="bob",
                mentions=["alice"],
                title=f"Topic {i}",
            ),
        )

    first = app.state.jobs.run_once()
    _apply(app, published("s9", "engineering", kind="social", author_id="bob", mentions=["alice"]))
    same_day = app.state.jobs.run_once()
    clock.advance(24 * 3600)
    next_day = app.state.jobs.run_once()

    assert (first["digests"], same_day["digests"], next_day["digests"]) == (1, 0, 1)
    digests = [m for m in read_mailbox(sink.directory) if "alice" in m.to]
    assert len(digests) == 2
    assert all(f"Topic {i}" in digests[-1].text for i in range(3))


def test_an_item_switched_off_or_unreadable_is_not_mailed(
    settings: NotificationsSettings, policy: PolicyStub, sink: SmtpSink, engine: Engine
) -> None:
    app = _app(settings, policy, sink._controller.port)
    common = {"post_id": "p", "space_id": "phoenix", "author_id": "alice", "title": "T"}
    policy.approvers.add("bob")
    _apply(app, event(EventType.POST_SUBMITTED, **common))
    policy.spaces["phoenix"].members.discard("bob")  # revoked before the mail goes

    assert app.state.jobs.run_once()["sent"] == 0
    assert read_mailbox(sink.directory) == []


def test_an_smtp_server_that_is_down_is_retried_then_recorded_as_failed(
    settings: NotificationsSettings, policy: PolicyStub, engine: Engine
) -> None:
    clock = ManualClock()
    app = _app(settings, policy, free_port(), mail_max_attempts=2, smtp_attempts_per_pass=2)
    app.state.jobs.now = clock
    _apply(
        app,
        event(
            EventType.POST_SUBMITTED, post_id="p", space_id="general", author_id="claire", title="T"
        ),
    )

    assert app.state.jobs.run_once()["retry"] == 1
    clock.advance(3600)
    assert app.state.jobs.run_once()["failed"] == 1

    [mail] = _mails(engine)
    assert (mail.status, mail.attempts) == ("failed", 2)
    assert "ConnectionRefused" in (mail.last_error or "")


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
@pytest.mark.parametrize(
    ("reply", "at", "status", "calls"),
    [
        ("550 5.1.1 No such mailbox", "DATA", "bounced", 1),
        ("451 4.3.0 Try again later", "DATA", "pending", 3),
        ("550 5.1.1 No such mailbox", "RCPT", "bounced", 1),
        ("451 4.3.0 Try again later", "RCPT", "pending", 3),
    ],
)
def test_4xx_is_retried_and_5xx_is_a_bounce(
    settings: NotificationsSettings,
    policy: PolicyStub,
    engine: Engine,
    reply: str,
    at: str,
    status: str,
    calls: int,
    pipelining: bool,
) -> None:
    with refusing_server(reply, at=at, pipelining=pipelining) as (port, handler):
        app = _app(settings, policy, port, smtp_attempts_per_pass=3)
        _apply(
            app,
            event(
                EventType.POST_SUBMITTED,
                post_id="p",
                space_id="general",
                author_id="claire",
                title="T",
            ),
        )
        app.state.jobs.run_once()

    [mail] = _mails(engine)
    assert mail.status == status
    assert handler.calls == calls
    assert reply.split()[0] in (mail.last_error or "")


def test_the_development_mailbox_lists_what_the_sink_received(
    settings: NotificationsSettings, policy: PolicyStub, as_user: Any, tmp_path: Path
) -> None:
    port = free_port()
    app = _app(settings, policy, port, smtp_sink_enabled=True, smtp_sink_dir=tmp_path / "box")
    with TestClient(app) as client:
        _apply(
            app,
            event(
                EventType.POST_SUBMITTED,
                post_id="p",
                space_id="general",
                author_id="claire",
                title="Budget",
            ),
        )
        app.state.jobs.run_once()
        [mail] = client.get("/v1/dev/mail", headers=as_user("marc")).json()
        assert mail["to"] == "marc@townhall.example" and "Budget" in mail["subject"]

    production_like = _app(settings, policy, port, smtp_sink_enabled=False)
    with TestClient(production_like, raise_server_exceptions=False) as client:
        assert client.get("/v1/dev/mail", headers=as_user("marc")).status_code == 404


def _english() -> Any:
    from townhall_contracts.notifications import Language, PreferencesUpdate

    return PreferencesUpdate(language=Language.EN)
