"""Reach in the browser, against the real services: feed tokens (create, copy, use in a
news reader, revoke), `@mention` suggestions in the editor, and the inbox with its badge
(over a stand-in of the notifications API run as a process). Every page passes axe."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from playwright.sync_api import expect

from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port

from .conftest import People, Portal, assert_accessible, start_portal

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]

FAKE_NOTIFICATIONS = (
    Path(__file__).parents[2] / "services" / "portal" / "tests" / "fake_notifications.py"
)


@pytest.fixture(scope="module")
def notifications_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(FAKE_NOTIFICATIONS), str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the stand-in notifications service did not answer on {url}")
        time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def portal(
    system: Any,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    notifications_url: str,
) -> Iterator[Portal]:
    running = start_portal(
        system,
        tmp_path_factory.mktemp("portal"),
        signing_key_file,
        NOTIFICATIONS_URL=notifications_url,
    )
    yield running
    running.process.terminate()
    running.process.wait(15)


def test_a_feed_token_is_created_used_by_a_reader_and_revoked(people: People) -> None:
    alice = people.page("alice")
    alice.goto("/feeds")
    expect(alice.get_by_role("heading", level=1, name="Feeds of official posts")).to_be_visible()
    assert_accessible(alice)
    alice.get_by_label("Where will you use it?").fill("My news reader")
    alice.get_by_role("button", name="Create the token").click()
    address = alice.get_by_label("Every official post").input_value()
    expect(alice.get_by_role("button", name="Copy").first).to_be_visible()
    assert_accessible(alice)

    feed = httpx.get(address, timeout=10)
    assert feed.status_code == 200
    parsed = feedparser.parse(feed.content)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert parsed.entries, "the demo's official posts are in alice's feed"

    card = alice.locator("li.card", has_text="My news reader")
    card.get_by_role("button", name=re.compile("Revoke")).click()
    expect(alice.get_by_role("status")).to_contain_text("Token revoked")
    assert httpx.get(address, timeout=10).status_code == 401


def test_typing_at_suggests_people_from_the_directory(people: People) -> None:
    alice = people.page("alice")
    alice.goto("/compose")
    body = alice.get_by_label("Text (Markdown)")
    body.press_sequentially("Thanks @bo", delay=20)
    option = alice.get_by_role("option", name=re.compile(r"Bob Moreau \(@bob\)"))
    expect(option).to_be_visible()
    expect(body).to_have_attribute("aria-activedescendant", re.compile("mentions-"))
    assert_accessible(alice)
    body.press("Enter")
    expect(body).to_have_value("Thanks @bob ")
    expect(alice.get_by_role("listbox")).to_be_hidden()

    alice.goto("/people?prefix=dub")
    expect(alice.get_by_text("@alice")).to_be_visible()
    assert_accessible(alice)


def test_the_inbox_badge_and_page(people: People) -> None:
    alice = people.page("alice")
    expect(alice.locator(".inbox-badge")).to_have_text("2")
    alice.get_by_role("link", name=re.compile("^Inbox")).click()
    expect(alice.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    assert_accessible(alice)
    alice.get_by_role("button", name="Mark all read").click()
    expect(alice.get_by_role("status")).to_contain_text("Everything is marked read.")
    expect(alice.locator(".inbox-badge")).to_have_count(0)
    assert_accessible(alice)
