"""An objective's report, mailed to its owner alone through a real SMTP sink (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from townhall_contracts.events import EventType
from townhall_contracts.notifications import (
    Channel,
    Language,
    NotificationKind,
    PreferencesUpdate,
)
from townhall_notifications.app import create_app
from townhall_notifications.delivery.service import apply
from townhall_notifications.mail.sink import SmtpSink, read_mailbox
from townhall_notifications.settings import NotificationsSettings
from townhall_platform.db import session_scope
from townhall_platform.testing import free_port

from ..conftest import event
from ..policy_stub import PolicyStub


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "sink", port=free_port()) as server:
        yield server


def _app(settings: NotificationsSettings, policy: PolicyStub, port: int) -> Any:
    changed = settings.model_copy(update={"smtp_port": port})
    return create_app(changed, policy_transport=httpx.MockTransport(policy.handle))


def report(owner: str = "marc", **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "objective_id": "obj-1",
        "name": "Safety <notices> acknowledged",
        "owner_id": owner,
        "unit": "share",
        "value": 0.72,
        "previous_value": 0.65,
        "expected": 0.8,
        "target": 0.9,
        "status": "at_risk",
        "day": "2026-12-07",
        "ends_on": "2027-03-31",
    }
    return event(EventType.OBJECTIVE_REPORTED, **(data | overrides))


def _apply(app: Any, *events: Any) -> None:
    with session_scope(app.state.engine) as session:
        for e in events:
            apply(session, e, reach=app.state.reach, book=app.state.book)


def test_the_owner_alone_gets_the_report_by_mail_once(
    settings: NotificationsSettings,
    policy: PolicyStub,
    sink: SmtpSink,
    engine: Engine,
    as_user: Callable[[str], dict[str, str]],
) -> None:
    app = _app(settings, policy, sink._controller.port)
    with session_scope(engine) as session:
        app.state.book.update(session, "marc", PreferencesUpdate(language=Language.EN))
    sent = report()
    _apply(app, sent, sent)  # redelivered: applied once
    done = app.state.jobs.run_once()
    assert done["notices"] == 1
    assert app.state.jobs.run_once()["notices"] == 0
    mails = read_mailbox(sink.directory)
    assert [m.to for m in mails] == ["marc@townhall.example"]
    mail = mails[0]
    assert mail.subject == "Where your objective stands: Safety <notices> acknowledged"
    assert "72.0 %" in mail.text and "90.0 %" in mail.text and "at risk" in mail.text
    assert "65.0 %" in mail.text  # a cadence ago
    assert "http://127.0.0.1:8100/objectives/obj-1" in mail.text
    assert "Safety &lt;notices&gt; acknowledged" in mail.html
    # Every other user: nothing in the inbox; the owner finds it there, linked to the objective.
    with TestClient(app) as client:
        for user in sorted(policy.subjects - {"marc"}):
            assert client.get("/v1/inbox", headers=as_user(user)).json()["items"] == [], user
        items = client.get("/v1/inbox", headers=as_user("marc")).json()["items"]
    assert [(i["kind"], i["link"]) for i in items] == [("objective_report", "/objectives/obj-1")]


def test_no_report_for_an_owner_gone_or_who_switched_reports_off(
    settings: NotificationsSettings, policy: PolicyStub, sink: SmtpSink, engine: Engine
) -> None:
    app = _app(settings, policy, sink._controller.port)
    policy.employees.discard("emma")  # left the company
    with session_scope(engine) as session:
        off = PreferencesUpdate(channels={NotificationKind.OBJECTIVE_REPORT: Channel.OFF})
        app.state.book.update(session, "chloe", off)
    _apply(app, report("emma", objective_id="obj-2"), report("chloe", objective_id="obj-3"))
    assert app.state.jobs.run_once()["notices"] == 0
    assert read_mailbox(sink.directory) == []


def test_a_report_under_the_floor_says_so_without_a_figure(
    settings: NotificationsSettings, policy: PolicyStub, sink: SmtpSink
) -> None:
    app = _app(settings, policy, sink._controller.port)
    _apply(app, report(value=None, previous_value=None, status="no_data", unit="hours"))
    app.state.jobs.run_once()
    (mail,) = read_mailbox(sink.directory)
    assert "— (2026-12-07)" in mail.text and "no data" in mail.text
    assert "0.9 h" in mail.text  # the target, in the metric's unit
