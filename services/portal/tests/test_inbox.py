"""The inbox page and the header badge, against a stand-in of the notifications API run
as a real process (`fake_notifications.py`); and the portal without that service: not
configured, down, or broken, it shows no badge and a clear message, never a 500."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port
from townhall_portal.app import create_app
from townhall_portal.settings import PortalSettings

from .conftest import csrf_of, dead_url

FAKE = Path(__file__).with_name("fake_notifications.py")


@pytest.fixture
def notifications() -> Iterator[str]:
    """The stand-in notifications service, fresh for each test; its URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(FAKE), str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fake notifications service did not answer on {url}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def portal(settings: PortalSettings, notifications_url: str) -> TestClient:
    configured = settings.model_copy(update={"notifications_url": notifications_url})
    return TestClient(create_app(configured), follow_redirects=False)


def sign_in(client: TestClient, user: str = "alice") -> str:
    """Signed in through the development sign-in (a real API token); a CSRF token."""
    csrf = csrf_of(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"csrf_token": csrf, "user": user, "next": "/"})
    assert response.status_code == 303
    return csrf_of(client.get("/sign-in").text)


def test_the_badge_and_the_inbox_newest_first_page_by_page(
    settings: PortalSettings, notifications: str
) -> None:
    client = portal(settings, notifications)
    sign_in(client)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert '<span class="inbox-badge" aria-hidden="true">2</span>' in page.text
    assert page.text.index("Sprint review") < page.text.index("Badges")
    assert "Parking" not in page.text  # on the next page
    older = client.get("/inbox?cursor=2")
    assert older.status_code == 200 and "Parking" in older.text
    assert 'href="/posts/p3"' in page.text
    # Every page of the portal carries the badge.
    assert '<span class="inbox-badge" aria-hidden="true">2</span>' in client.get("/feeds").text


def test_marking_one_read_then_all(settings: PortalSettings, notifications: str) -> None:
    client = portal(settings, notifications)
    csrf = sign_in(client)
    read = client.post("/inbox/13/read", data={"csrf_token": csrf})
    assert read.status_code == 303 and read.headers["location"] == "/inbox?done=read"
    assert '<span class="inbox-badge" aria-hidden="true">1</span>' in client.get("/inbox").text
    opened = client.post("/inbox/12/read", data={"csrf_token": csrf, "next": "/posts/p2"})
    assert opened.status_code == 303 and opened.headers["location"] == "/posts/p2"
    page = client.get("/inbox?done=all_read")
    assert 'class="inbox-badge"' not in page.text
    # Only local paths are followed after marking read.
    away = client.post("/inbox/11/read", data={"csrf_token": csrf, "next": "//evil.example"})
    assert away.headers["location"] == "/"


def test_mark_all_read(settings: PortalSettings, notifications: str) -> None:
    client = portal(settings, notifications)
    csrf = sign_in(client)
    done = client.post("/inbox/read-all", data={"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/inbox?done=all_read"
    page = client.get(done.headers["location"])
    assert "Everything is marked read." in page.text and 'class="inbox-badge"' not in page.text


def test_refusals_are_precise(settings: PortalSettings, notifications: str) -> None:
    client = portal(settings, notifications)
    csrf = sign_in(client)
    # Bob's notification is not Alice's: not found, and nothing changes for Bob.
    others = client.post("/inbox/21/read", data={"csrf_token": csrf})
    assert others.status_code == 404 and "No such notification." in others.text
    assert client.post("/inbox/12/read", data={}).status_code == 403  # no CSRF token
    assert client.post("/inbox/0/read", data={"csrf_token": csrf}).status_code == 400
    assert client.post("/inbox/x/read", data={"csrf_token": csrf}).status_code == 400
    bad = client.get("/inbox?cursor=nonsense")
    assert bad.status_code == 400 and "no longer exists" in bad.text
    bob = portal(settings, notifications)
    sign_in(bob, "bob")
    assert '<span class="inbox-badge" aria-hidden="true">1</span>' in bob.get("/inbox").text


def test_a_broken_service_shows_a_message_not_an_error(
    settings: PortalSettings, notifications: str
) -> None:
    client = portal(settings, notifications)
    csrf = sign_in(client)
    httpx.post(f"{notifications}/_fail")
    page = client.get("/inbox")
    assert page.status_code == 503
    assert "Notifications are unavailable right now" in page.text
    assert 'class="inbox-badge"' not in page.text
    assert client.post("/inbox/12/read", data={"csrf_token": csrf}).status_code == 503
    assert client.post("/inbox/read-all", data={"csrf_token": csrf}).status_code == 503


def test_a_service_that_is_down_costs_no_badge_and_no_page(settings: PortalSettings) -> None:
    client = portal(settings, dead_url())
    csrf = sign_in(client)
    spaces = client.get("/feeds")  # publishing is down too: its own outage page
    assert 'class="inbox-badge"' not in spaces.text
    page = client.get("/inbox")
    assert page.status_code == 503
    assert "Notifications are unavailable right now" in page.text
    assert '<a href="/inbox"' in page.text  # the link stays; the badge goes
    assert client.post("/inbox/read-all", data={"csrf_token": csrf}).status_code == 503


def test_without_the_service_configured_there_is_no_inbox(settings: PortalSettings) -> None:
    client = portal(settings, "")
    csrf = sign_in(client)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert "Notifications are not set up on this Townhall." in page.text
    assert 'href="/inbox"' not in page.text
    assert client.post("/inbox/read-all", data={"csrf_token": csrf}).status_code == 200


def test_the_inbox_speaks_french(settings: PortalSettings, notifications: str) -> None:
    client = portal(settings, notifications)
    sign_in(client)
    page = client.get("/inbox", headers={"accept-language": "fr"})
    assert "Tout marquer comme lu" in page.text and "2 non lues" in page.text
