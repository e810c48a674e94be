"""A post's page shows only the vouches that hold for the revision of the text shown.

Publishing and policy stand in as one small server over real HTTP in a thread, answering
what publishing answers for alice's post before and after she rewrote it under claire's
endorsement and pin and sophie's official answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from townhall_platform.testing import free_port
from townhall_portal.app import create_app
from townhall_portal.session import SESSION_COOKIE, Session, SessionCodec
from townhall_portal.settings import DEV_SESSION_SECRET, PortalSettings

POST_ID = "0b7a3c5e-2f7d-4c1e-9a43-5d2f1e6c8b90"
AT = "2026-12-07T09:00:00Z"


def _post(*, revision: int, title: str, vouched: bool) -> dict[str, Any]:
    endorsement = {"by": "claire", "at": AT, "revision": 1, "decision_id": "dec-1"}
    pin = {"by": "claire", "at": AT, "revision": 1, "decision_id": "dec-2"}
    return {
        "id": POST_ID, "space_id": "engineering", "kind": "social", "title": title,
        "body": title, "body_html": f"<p>{title}</p>", "mentions": [], "author_id": "alice",
        "state": "published", "authority": None, "audience_groups": [], "audience_spaces": [],
        "requires_acknowledgement": False, "version": 5, "revision": revision,
        "edit_count": revision - 1, "decision_id": "dec-3", "policy_revision": 1,
        "created_at": AT, "updated_at": AT, "published_at": AT, "submitted_at": None,
        "approved_by": None, "approved_at": None, "rejected_by": None,
        "rejection_reason": None, "scheduled_at": None, "retracted_by": None,
        "retracted_at": None, "retraction_reason": None, "pinned": vouched,
        "pinned_by": "claire" if vouched else None,
        "endorsed_by": "claire" if vouched else None, "endorsed_at": AT if vouched else None,
        "endorsement": endorsement if vouched else None, "pin": pin if vouched else None,
        "hidden_at": None, "hidden_reason": None, "comment_count": 1, "reactions": {},
        "acknowledged": False,
    }  # fmt: skip


def _answer(*, edited_since: bool) -> dict[str, Any]:
    return {
        "id": "c1", "post_id": POST_ID, "parent_id": None, "author_id": "sophie",
        "body": "Confirmed: this is the company's position.",
        "body_html": "<p>Confirmed: this is the company's position.</p>", "mentions": [],
        "official": True, "authority": "Direction de la communication", "post_revision": 1,
        "post_edited_since": edited_since, "state": "published", "version": 2,
        "edit_count": 0, "decision_id": "dec-4", "policy_revision": 1, "hidden_at": None,
        "hidden_reason": None, "created_at": AT, "updated_at": AT,
    }  # fmt: skip


@dataclass
class Services:
    """What the stand-in answers for the post and its comments."""

    url: str = ""
    post: dict[str, Any] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)


def _handler(services: Services) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/v1/revision":
                self._json({"policy_revision": 1, "details": {}})
            elif path == f"/v1/posts/{POST_ID}":
                self._json(services.post)
            elif path == f"/v1/posts/{POST_ID}/comments":
                self._json({"items": services.comments})
            else:
                self._json({"status": 404}, 404)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if urlparse(self.path).path == "/v1/decisions/batch":
                asked = json.loads(raw)["decisions"]
                self._json(
                    {"policy_revision": 1, "decisions": [{"allowed": False, **d} for d in asked]}
                )
            else:
                self._json({"status": 404}, 404)

    return Handler


@pytest.fixture
def services() -> Iterator[Services]:
    port = free_port()
    stand_in = Services(url=f"http://127.0.0.1:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def page_of(services: Services, signing_key_file: Path) -> Iterator[TestClient]:
    url = services.url
    settings = PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        policy_url=url,
        publishing_url=url,
        search_url=url,
        http_timeout_seconds=5.0,
    )
    client = TestClient(create_app(settings), follow_redirects=False)
    session = Session(
        subject="bob", token="t", expires_at=time.time() + 3600, name="bob", session_id="s1"
    )
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    client.cookies.set(SESSION_COOKIE, codec.seal(session))
    yield client


def test_the_vouched_revision_shows_its_endorsement_and_official_answer(
    services: Services, page_of: TestClient
) -> None:
    services.post = _post(revision=1, title="Our team offsite", vouched=True)
    services.comments = [_answer(edited_since=False)]

    page = page_of.get(f"/posts/{POST_ID}")

    assert page.status_code == 200, page.text
    assert "Endorsed by claire" in page.text  # the stand-in names nobody: ids stay
    assert 'class="comment official"' in page.text
    assert "Official answer" in page.text


def test_after_the_author_rewrote_it_nothing_vouches_for_the_new_text(
    services: Services, page_of: TestClient
) -> None:
    services.post = _post(revision=2, title="Official: layoffs next month", vouched=False)
    services.comments = [_answer(edited_since=True)]

    page = page_of.get(f"/posts/{POST_ID}")

    assert page.status_code == 200, page.text
    assert "Official: layoffs next month" in page.text
    assert "Endorsed by" not in page.text
    assert "Pinned" not in page.text
    # The spokesperson's answer stays, saying which revision it answered, without the
    # official label or the authority it spoke for.
    assert "Confirmed: this is the company" in page.text
    assert "Official answer" not in page.text
    assert "Direction de la communication" not in page.text
    assert 'class="comment official"' not in page.text
    assert "Answered revision 1 of this post, since edited by its author" in page.text
    assert "edited: revision 2" in page.text
    # The forms name the revision shown, so publishing refuses a vouch for another one.
    assert 'name="post_revision" value="2"' in page.text
