"""Issue 16's "done when", walked once with real processes end to end.

Policy, publishing, search and notifications run as processes on one real nats-server;
notifications consumes publishing's events from the bus (nothing is handed to it by the
test). A communicator publishes an official notice with a mandatory acknowledgement, and
the reach is checked where people see it: an employee's unread count (the API the portal's
header badge reads), the mail in the development mailbox (the service's own aiosmtpd sink),
a Standard-Webhooks-signed delivery to a local receiver, verified with the
`standardwebhooks` library, and an Adaptive Card posted to a Teams-format channel.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from standardwebhooks import Webhook

from townhall.launcher import ServiceSpec, service_environment
from townhall_clients import NotificationsClient
from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import (
    EVENTUALLY_SECONDS,
    free_port,
    temporary_postgres_database,
)

from .conftest import ServiceProcess, System, running_system

# Four services seeded and started on a loaded machine take minutes, setup included.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

T = TypeVar("T")


@dataclass
class Receiver:
    """A local HTTP endpoint keeping every POST it receives (headers, body)."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def receiver(path: str) -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def eventually(what: str, probe: Callable[[], T | None], timeout: float = EVENTUALLY_SECONDS) -> T:
    """Poll `probe` until it gives something; fail naming what was waited for."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}; it did not happen")
        time.sleep(0.2)


@dataclass
class Walk:
    system: System
    notifications: ServiceProcess

    def user(self, service: str, user: str) -> httpx.Client:
        if service == "notifications":
            return httpx.Client(
                base_url=self.notifications.url,
                headers={"Authorization": f"Bearer {self.system.token(user)}"},
                timeout=10.0,
            )
        return self.system.as_user(service, user)


@pytest.fixture(scope="module")
def walk(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
) -> Iterator[Walk]:
    state = tmp_path_factory.mktemp(f"reach-{backend}")
    with ExitStack() as stack:
        system = stack.enter_context(running_system(backend, state, signing_key_file, token_issuer))
        database = None
        if backend == "postgresql":
            database = stack.enter_context(temporary_postgres_database("townhall_it_notify"))
        process = _notifications(system, state, signing_key_file, database)
        process.run("migrate")
        process.start()
        stack.callback(process.stop)
        yield Walk(system, process)


def _notifications(
    system: System, state: Path, signing_key_file: Path, database: str | None
) -> ServiceProcess:
    spec = ServiceSpec("notifications", free_port())
    base = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
    env = service_environment(spec, state, base)
    prefix = spec.env_prefix
    env |= {
        prefix + "ENVIRONMENT": "test",
        prefix + "SIGNING_KEY_FILE": str(signing_key_file),
        prefix + "POLICY_URL": system.services["policy"].url,
        prefix + "PUBLISHING_URL": system.services["publishing"].url,
        prefix + "NATS_URL": system.nats.url,
        # Its own development sink, off the default port another test may hold.
        prefix + "SMTP_PORT": str(free_port()),
        prefix + "PUBLIC_URL": spec.url,
        # A failed webhook attempt is retried soon, not in the default five seconds.
        prefix + "WEBHOOK_BACKOFF_SECONDS": "0.5",
    }
    if database is not None:
        env[prefix + "DATABASE_URL"] = database
    return ServiceProcess(spec, env, state / "notifications.log")


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_an_official_notice_reaches_the_inbox_the_mailbox_a_webhook_and_teams(
    walk: Walk, token_issuer: TokenIssuer
) -> None:
    badge = NotificationsClient(walk.notifications.url, token=lambda: "", timeout=10.0)
    alice = walk.system.token("alice")
    unread_before = badge.unread_count(user_token=alice)

    with receiver("hook") as hook, receiver("teams") as teams:
        paul = walk.user("notifications", "paul")  # a policy admin
        signed = _ok(
            paul.post("/v1/webhooks", json={"url": hook.url, "events": ["post.published"]})
        )
        _ok(
            paul.post(
                "/v1/webhooks",
                json={
                    "url": teams.url,
                    "events": ["post.published"],
                    "space_id": "general",
                    "format": "teams",
                },
            )
        )

        claire = walk.user("publishing", "claire")  # a communicator
        post = _ok(
            claire.post(
                "/v1/posts",
                json={
                    "space_id": "general",
                    "kind": "official",
                    "title": "Consignes d'évacuation",
                    "body": "Lisez et confirmez les nouvelles consignes d'évacuation.",
                    "requires_acknowledgement": True,
                },
            )
        )
        _ok(claire.post(f"/v1/posts/{post['id']}/submit"))
        _ok(walk.user("publishing", "marc").post(f"/v1/posts/{post['id']}/approve"))
        _ok(claire.post(f"/v1/posts/{post['id']}/publish"))

        # The badge: alice's unread count grows, and her newest item is the notice.
        eventually(
            "alice's unread count (the header badge) to grow after the publication",
            lambda: True if badge.unread_count(user_token=alice) > unread_before else None,
        )
        newest = badge.inbox(user_token=alice, limit=1).items[0]
        assert (newest.post_id, newest.kind) == (post["id"], "acknowledgement_due")

        # The mail, in the development mailbox, sent by the service's worker through SMTP.
        mailbox = walk.user("notifications", "alice")

        def alice_mail() -> dict[str, Any] | None:
            mails = _ok(mailbox.get("/v1/dev/mail", params={"limit": 500}))
            mine = [m for m in mails if m["to"].startswith("alice@") and post["id"] in m["text"]]
            return mine[0] if mine else None

        mail = eventually("alice's acknowledgement mail in the development mailbox", alice_mail)
        assert "Consignes d'évacuation" in mail["subject"]
        assert mail["list_unsubscribe"].startswith(f"<{walk.notifications.url}")

        # The signed webhook: its signature verifies with the subscription's secret.
        headers, body = eventually(
            "the signed webhook delivery of the publication",
            lambda: next((r for r in hook.received if post["id"].encode() in r[1]), None),
        )
        payload = Webhook(signed["secret"]).verify(body, headers)
        assert payload["type"] == "post.published"
        assert payload["data"]["post_id"] == post["id"]

        # The Teams channel: an Adaptive Card with the title and the link to the post.
        _, card_body = eventually(
            "the Teams channel's card of the publication",
            lambda: next((r for r in teams.received if post["id"].encode() in r[1]), None),
        )
        card = json.loads(card_body)
        [attachment] = card["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        text = json.dumps(card, ensure_ascii=False)
        assert "Consignes d'évacuation" in text and f"/posts/{post['id']}" in text
    badge.close()
