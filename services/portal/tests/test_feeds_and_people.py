"""The feed-token page and the people lookup, against a stand-in of publishing and policy
(an HTTP server in a thread): what each page shows, sends, and how refusals come back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from townhall_platform.testing import free_port
from townhall_portal.app import create_app
from townhall_portal.session import SESSION_COOKIE, Session, SessionCodec
from townhall_portal.settings import DEV_SESSION_SECRET, PortalSettings

from .conftest import csrf_of, dead_url

AT = "2026-12-07T10:00:00Z"
TOKEN = {"id": "t1", "name": "Old reader", "prefix": "thf_abcd", "created_at": AT}
SPACE = {
    "id": "general",
    "name": "Général",
    "kind": "announcement",
    "visibility": "public",
    "description": "",
    "created_by": "claire",
    "created_at": AT,
    "archived_at": None,
}


@dataclass
class StandIn:
    url: str = ""
    asked: list[tuple[str, str, Any]] = field(default_factory=list)
    people_status: int = 200


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            kind = "application/problem+json" if status >= 400 else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            stand_in.asked.append(("GET", url.path, parse_qs(url.query)))
            if url.path == "/v1/revision":
                self._json({"policy_revision": 1, "details": {}})
            elif url.path == "/v1/feed-tokens":
                self._json({"items": [TOKEN]})
            elif url.path == "/v1/spaces":
                self._json({"items": [SPACE]})
            elif url.path == "/v1/directory/people":
                if stand_in.people_status != 200:
                    problem = {"type": "x", "title": "t", "status": stand_in.people_status}
                    self._json(problem, stand_in.people_status)
                else:
                    self._json({"people": [{"id": "bob", "display_name": "Bob Moreau"}]})
            else:
                self._json({"status": 404, "title": "no"}, 404)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = urlparse(self.path).path
            stand_in.asked.append(("POST", path, json.loads(raw or b"null")))
            if path == "/v1/decisions/batch":
                asked = json.loads(raw)["decisions"]
                self._json(
                    {"policy_revision": 1, "decisions": [{"allowed": False, **d} for d in asked]}
                )
            elif path == "/v1/feed-tokens":
                self._json(
                    {
                        **TOKEN,
                        "id": "t2",
                        "name": json.loads(raw)["name"],
                        "token": "thf_secret-value",
                        "feed_url": f"{stand_in.url}/v1/feeds/official.atom?token=thf_secret-value",
                    },
                    201,
                )
            else:
                self._json({"status": 404, "title": "no"}, 404)

        def do_DELETE(self) -> None:
            path = urlparse(self.path).path
            stand_in.asked.append(("DELETE", path, None))
            if path == "/v1/feed-tokens/t1":
                self.send_response(204)
                self.end_headers()
            else:
                self._json({"status": 404, "title": "Feed token not found", "detail": "none"}, 404)

    return Handler


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    port = free_port()
    running = StandIn(url=f"http://127.0.0.1:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(running))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield running
    server.shutdown()
    server.server_close()


@pytest.fixture
def page_of(stand_in: StandIn, signing_key_file: Path) -> TestClient:
    settings = PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        policy_url=stand_in.url,
        publishing_url=stand_in.url,
        search_url=stand_in.url,
        notifications_url=dead_url(),
    )
    client = TestClient(create_app(settings), follow_redirects=False)
    session = Session(subject="bob", token="t", expires_at=time.time() + 3600, session_id="s1")
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    client.cookies.set(SESSION_COOKIE, codec.seal(session))
    return client


def test_tokens_are_listed_created_once_and_revoked(page_of: TestClient, stand_in: StandIn) -> None:
    page = page_of.get("/feeds")
    assert page.status_code == 200 and "Old reader" in page.text and "thf_abcd" in page.text
    assert "thf_secret-value" not in page.text
    created = page_of.post("/feeds", data={"csrf_token": csrf_of(page.text), "name": "Reader"})
    assert created.status_code == 201
    assert f"{stand_in.url}/v1/feeds/official.atom?token=thf_secret-value" in created.text
    assert "/v1/feeds/spaces/general/official.atom?token=thf_secret-value" in created.text
    assert ("POST", "/v1/feed-tokens", {"name": "Reader"}) in stand_in.asked
    revoked = page_of.post("/feeds/t1/revoke", data={"csrf_token": csrf_of(page.text)})
    assert revoked.status_code == 303 and revoked.headers["location"] == "/feeds?done=revoked"
    assert "Token revoked" in page_of.get("/feeds?done=revoked").text


def test_token_refusals(page_of: TestClient, stand_in: StandIn) -> None:
    csrf = csrf_of(page_of.get("/feeds").text)
    for name in ("", "   ", "x" * 101):
        refused = page_of.post("/feeds", data={"csrf_token": csrf, "name": name})
        assert refused.status_code == 422 and "Give the token a name" in refused.text
    assert not [a for a in stand_in.asked if a[:2] == ("POST", "/v1/feed-tokens")]
    assert page_of.post("/feeds", data={"name": "Reader"}).status_code == 403  # no CSRF
    assert page_of.post("/feeds/nope/revoke", data={"csrf_token": csrf}).status_code == 404


def test_people_to_mention(page_of: TestClient, stand_in: StandIn) -> None:
    found = page_of.get("/people/suggest?prefix=@bo")
    assert found.json() == {"people": [{"id": "bob", "display_name": "Bob Moreau"}]}
    assert ("GET", "/v1/directory/people", {"prefix": ["bo"], "limit": ["8"]}) in stand_in.asked
    assert page_of.get("/people/suggest?prefix=").json() == {"people": []}
    page = page_of.get("/people?prefix=bo")
    assert page.status_code == 200 and "@bob" in page.text
    stand_in.people_status = 429
    assert page_of.get("/people/suggest?prefix=bo").status_code == 429
    slowed = page_of.get("/people?prefix=bo")
    assert slowed.status_code == 429 and "Too many searches" in slowed.text
    stand_in.people_status = 500
    assert page_of.get("/people/suggest?prefix=bo").status_code == 503
    assert page_of.get("/people/suggest?prefix=" + "x" * 65).status_code == 400
