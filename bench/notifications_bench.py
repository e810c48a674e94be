"""Notifications at the company's scale: fan-out, mail sending rate, the daily digest.

`python -m bench notifications [--audience N] [--mails M] [--digest-users D] [--postgres]`
builds a throwaway notifications database (SQLite, or PostgreSQL on 127.0.0.1:5432) and
measures, in process, with policy answered at its HTTP boundary by an in-memory directory
of N employees (policy's own cost is not measured here; the client's is):

- fan-out: one official post requiring acknowledgement, published to the whole company,
  applied as the bus consumer applies it (audience, which readers policy allows `read`,
  preferences, one inbox item and one acknowledgement to track per person) and
  committed; then an inbox's unread count read, as the portal's badge does. Goal: every
  inbox within 10 s.
- mail rate: M of those acknowledgement mails queued, then handed over SMTP to the real
  aiosmtpd development sink (`SmtpSink`, its own process, writing each mail to a file).
  Goal: at least 500 mails/s. Then the same mails, ready-made, sent again straight to the
  sink: the rate the sink itself takes on this machine (the ceiling of the first).
- the daily digest: two news posts to D employees, then at the digest's hour the whole
  digest built (policy asked again, templates rendered, mails queued) and sent to the sink.
  Goal: within 2 minutes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from townhall_clients import CachedPolicy, PolicyClient
from townhall_contracts.events import Event, EventType
from townhall_notifications.app import book_of
from townhall_notifications.cli import MIGRATIONS
from townhall_notifications.delivery.models import Notification
from townhall_notifications.delivery.service import apply
from townhall_notifications.inbox.service import unread
from townhall_notifications.mail.models import OutgoingMail
from townhall_notifications.mail.queue import queue_digests, queue_notices
from townhall_notifications.mail.render import Renderer
from townhall_notifications.mail.sender import SmtpConfig, SmtpSender, message_of, send_pending
from townhall_notifications.preferences.service import PreferenceBook
from townhall_notifications.reach import Reach
from townhall_notifications.settings import NotificationsSettings
from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_platform.testing import free_port, temporary_postgres_database

console = Console()
GOAL_FANOUT_S = 10.0
GOAL_MAILS_PER_S = 500.0
GOAL_DIGEST_S = 120.0
# At the daily digest's hour (07:00 UTC by default).
DIGEST_TIME = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
_ids = count(1)


class Directory:
    """Policy at its HTTP boundary: every employee reads the public space `general`."""

    def __init__(self, employees: int) -> None:
        self.employees = [f"user{n:06d}" for n in range(employees)]
        self._known = set(self.employees)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/revision":
            return httpx.Response(200, json={"policy_revision": 1})
        if path == "/internal/v1/audiences":
            wanted = json.loads(request.content)["principals"]
            subjects = self.employees if "org" in wanted else []
            body = {"principals": wanted, "subjects": subjects, "policy_revision": 1}
            return httpx.Response(200, json=body)
        if path == "/internal/v1/decisions/allowed":
            asked = json.loads(request.content)
            read_general = asked["action"] == "read" and asked["domain"] == "space:general"
            allowed = [s for s in asked["subjects"] if read_general and s in self._known]
            body = {"action": asked["action"], "domain": asked["domain"], "subjects": allowed}
            return httpx.Response(200, json=body | {"policy_revision": 1})
        if path == "/v1/decisions/batch":
            asked = json.loads(request.content)["decisions"]
            decisions = [self._decision(**d) for d in asked]
            return httpx.Response(200, json={"policy_revision": 1, "decisions": decisions})
        return httpx.Response(404, json={"title": "Not found", "status": 404})

    def _decision(self, subject: str, action: str, domain: str) -> dict[str, Any]:
        allowed = action == "read" and domain == "space:general" and subject in self._known
        return {
            "allowed": allowed, "decision_id": "d", "policy_revision": 1,
            "reason": {"summary": "bench"}, "subject": subject, "action": action,
            "domain": domain,
        }  # fmt: skip


@dataclass
class Bench:
    engine: Engine
    reach: Reach
    book: PreferenceBook
    renderer: Renderer
    sender: SmtpSender
    settings: NotificationsSettings


@dataclass
class Results:
    audience: int
    fanout_s: float
    badge_ms: float
    mails: int
    mail_queue_s: float
    mails_per_s: float
    sink_per_s: float
    digest_users: int
    digest_build_s: float
    digest_send_s: float


def _official(post_id: str, *, acknowledgement: bool) -> Event:
    data: dict[str, Any] = {
        "post_id": post_id, "space_id": "general", "kind": "official", "author_id": "claire",
        "title": "Consignes d'évacuation", "summary": "Lisez les nouvelles consignes.",
    }  # fmt: skip
    if acknowledgement:
        data |= {"requires_acknowledgement": True}
    return Event(id=next(_ids), type=EventType.POST_PUBLISHED, occurred_at=DIGEST_TIME, data=data)


@contextmanager
def _sink(directory: Path) -> Iterator[int]:
    """The development sink in a process of its own (as the service runs it, not sharing
    this process's interpreter lock with the sender)."""
    port = free_port()
    code = (
        "import sys, time; from pathlib import Path;"
        "from townhall_notifications.mail.sink import SmtpSink;"
        f"s = SmtpSink(Path({str(directory)!r}), port={port}); s.start();"
        "print('ready', flush=True); sys.stdin.read(); s.stop()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdout is not None and process.stdin is not None
    if process.stdout.readline().strip() != b"ready":
        raise RuntimeError("the SMTP sink did not start")
    try:
        yield port
    finally:
        process.stdin.close()
        process.wait(30)


def _bench(url: str, directory: Directory, smtp_port: int) -> Bench:
    settings = NotificationsSettings(
        environment="test", database_url=url, smtp_port=smtp_port, policy_cache_seconds=0
    )
    policy = PolicyClient(
        "http://policy.bench",
        token=lambda: "bench",
        transport=httpx.MockTransport(directory.handle),
    )
    reach = Reach(policy, CachedPolicy(policy, ttl_seconds=0, revision_check_seconds=0))
    book = book_of(settings)
    renderer = Renderer(book=book, portal_url=settings.portal_url, public_url=settings.public_url)
    sender = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=smtp_port),
        attempts=3,
        backoff=0.1,
        connections=settings.smtp_connections,
    )
    return Bench(make_engine(url), reach, book, renderer, sender, settings)


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _fanout(bench: Bench) -> tuple[float, float]:
    """Seconds to write every inbox of one official post; ms to read a badge after."""

    def publish() -> int:
        with session_scope(bench.engine) as session:
            event = _official("notice", acknowledgement=True)
            return apply(session, event, reach=bench.reach, book=bench.book).notifications

    seconds, written = _timed(publish)
    with Session(bench.engine) as session:
        badge, count_ = _timed(lambda: unread(session, bench.reach, "user000042"))
    assert count_.unread == 1 and written > 0, (written, count_)
    return seconds, badge * 1000


def _send_all(bench: Bench) -> int:
    sent = 0
    while True:
        with session_scope(bench.engine) as session:
            done = send_pending(
                session, bench.sender, from_address=bench.settings.mail_from,
                now=lambda: DIGEST_TIME, max_attempts=3, backoff=0.1,
            )  # fmt: skip
        if not any(done.values()):
            return sent
        sent += done["sent"]


def _queue_notices(bench: Bench) -> int:
    queued = 0
    while True:
        with session_scope(bench.engine) as session:
            done = queue_notices(
                session, reach=bench.reach, book=bench.book, renderer=bench.renderer,
                now=DIGEST_TIME,
            )  # fmt: skip
        if not done:
            return queued
        queued += done


def _sink_ceiling(bench: Bench, mails: int) -> float:
    """Mails/s the sink takes of ready-made messages over the sender's connections: what
    sending could reach with no database and no rendering."""
    with Session(bench.engine) as session:
        rows = session.exec(select(OutgoingMail).limit(mails)).all()
    messages = [message_of(row, bench.settings.mail_from) for row in rows]
    seconds, errors = _timed(lambda: bench.sender.send_all(messages))
    assert not any(errors), errors[:3]
    return len(messages) / seconds


def _mail_rate(bench: Bench, mails: int) -> tuple[float, float]:
    """Seconds to queue `mails` acknowledgement mails; mails sent per second."""
    with session_scope(bench.engine) as session:
        keep = select(Notification.id).order_by(col(Notification.id)).limit(mails).subquery()
        session.execute(
            update(Notification)
            .where(col(Notification.id).not_in(select(keep.c.id)))
            .values(email_pending=False)
        )
    queue_s, queued = _timed(lambda: _queue_notices(bench))
    send_s, sent = _timed(lambda: _send_all(bench))
    assert sent == queued == mails, (sent, queued, mails)
    return queue_s, sent / send_s


def _digest(bench: Bench) -> tuple[float, float]:
    """Seconds to build the digests of two news posts' readers; seconds to send them."""
    with session_scope(bench.engine) as session:
        for post in ("news1", "news2"):
            apply(
                session, _official(post, acknowledgement=False), reach=bench.reach, book=bench.book
            )

    def build() -> int:
        with session_scope(bench.engine) as session:
            return queue_digests(
                session, reach=bench.reach, book=bench.book, renderer=bench.renderer,
                now=DIGEST_TIME, hour=7, weekday=0,
            )  # fmt: skip

    build_s, built = _timed(build)
    send_s, sent = _timed(lambda: _send_all(bench))
    assert built == sent, (built, sent)
    return build_s, send_s


def run(*, audience: int, mails: int, digest_users: int, postgres: bool) -> Results:
    with ExitStack() as stack:
        state = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="notify-bench-")))
        port = stack.enter_context(_sink(state / "mailbox"))

        def database(name: str) -> str:
            if postgres:
                return stack.enter_context(temporary_postgres_database(f"bench_notify_{name}"))
            return f"sqlite:///{state / name}.db"

        first = database("fanout")
        run_migrations(first, MIGRATIONS)
        bench = _bench(first, Directory(audience), port)
        console.print(f"fan-out of one official post to {audience:,} people …")
        fanout_s, badge_ms = _fanout(bench)
        console.print(f"sending {mails:,} acknowledgement mails …")
        queue_s, rate = _mail_rate(bench, min(mails, audience))
        ceiling = _sink_ceiling(bench, min(mails, audience))
        second = database("digest")
        run_migrations(second, MIGRATIONS)
        bench = _bench(second, Directory(digest_users), port)
        console.print(f"the daily digest of {digest_users:,} people …")
        build_s, send_s = _digest(bench)
    return Results(
        audience, fanout_s, badge_ms, min(mails, audience), queue_s, rate, ceiling,
        digest_users, build_s, send_s,
    )  # fmt: skip


def report(results: Results, backend: str) -> None:
    table = Table(title=f"notifications ({backend}, in process, policy in memory)")
    for column in ("measure", "figure", "goal", "met"):
        table.add_column(column)
    digest_s = results.digest_build_s + results.digest_send_s
    rows = [
        (f"fan-out to {results.audience:,}: inboxes written", results.fanout_s, "s",
         f"≤ {GOAL_FANOUT_S:g} s", results.fanout_s <= GOAL_FANOUT_S),
        ("an unread count (badge) after it", results.badge_ms, "ms", "", None),
        (f"{results.mails:,} mails queued", results.mail_queue_s, "s", "", None),
        ("mails handed to SMTP (the sink)", results.mails_per_s, "/s",
         f"≥ {GOAL_MAILS_PER_S:g}/s", results.mails_per_s >= GOAL_MAILS_PER_S),
        ("the sink alone, ready-made mails", results.sink_per_s, "/s", "", None),
        (f"digest of {results.digest_users:,}: built", results.digest_build_s, "s", "", None),
        ("digest: sent", results.digest_send_s, "s", "", None),
        ("digest: built and sent", digest_s, "s", f"≤ {GOAL_DIGEST_S:g} s",
         digest_s <= GOAL_DIGEST_S),
    ]  # fmt: skip
    for name, value, unit, goal, met in rows:
        mark = "" if met is None else ("yes" if met else "no")
        table.add_row(name, f"{value:,.1f} {unit}", goal, mark)
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--audience", type=int, default=50_000)
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--digest-users", type=int, default=50_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)
    results = run(
        audience=args.audience,
        mails=args.mails,
        digest_users=args.digest_users,
        postgres=args.postgres,
    )
    report(results, "PostgreSQL" if args.postgres else "SQLite")


if __name__ == "__main__":
    main()
