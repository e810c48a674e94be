"""The indicators page's period comparison and the CSV exports of indicators and
objectives, against a stand-in of publishing and policy (an HTTP server in a thread)."""

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

from .conftest import dead_url

AT = "2026-12-07T10:00:00Z"
REACH = {"posts": 0, "audience": 0, "readers": 0, "rate": None}
ACK = {"posts": 0, "expected": 0, "acknowledged": 0, "rate": None,
       "median_seconds_to_acknowledge": None}  # fmt: skip
INDICATORS = {
    "space_id": None, "since": AT, "until": AT, "posts_by_kind": {"social": 2, "official": 0},
    "comments_by_kind": {"social": 1, "official": 0}, "active_contributors": 3,
    "official_reach": REACH, "acknowledgement": ACK, "social_posts_with_reply": 1,
    "social_reply_share": 0.5,
}  # fmt: skip
CHANGES = [
    {"indicator": "social_posts", "current": 3, "previous": 1, "change": 2},
    {"indicator": "acknowledgement_rate", "current": 0.72, "previous": 0.65, "change": 0.07},
    {"indicator": "acknowledgement_median_seconds", "current": 7200, "previous": None,
     "change": None},
]  # fmt: skip
CSV = b"indicator,current,previous,change\nsocial_posts,3.0,1.0,2.0\n"
OBJECTIVES_CSV = b"id,name\no1,Safety\n"


@dataclass
class StandIn:
    url: str = ""
    asked: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    comparison_status: int = 200


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, data: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _json(self, body: Any, status: int = 200) -> None:
            kind = "application/problem+json" if status >= 400 else "application/json"
            self._send(json.dumps(body).encode(), kind, status)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            stand_in.asked.append((url.path, query))
            csv = query.get("format") == ["csv"]
            if url.path == "/v1/revision":
                self._json({"policy_revision": 1, "details": {}})
            elif url.path == "/v1/spaces":
                self._json({"items": []})
            elif url.path == "/v1/indicators":
                self._json(INDICATORS)
            elif url.path == "/v1/indicators/comparison" and stand_in.comparison_status != 200:
                problem = {"type": "about:blank", "title": "Forbidden", "status": 403}
                self._json(problem, stand_in.comparison_status)
            elif url.path == "/v1/indicators/comparison" and csv:
                self._send(CSV, "text/csv; charset=utf-8")
            elif url.path == "/v1/indicators/comparison":
                period = {"space_id": None, "since": AT, "until": AT, "previous_since": AT}
                self._json(
                    {**period, "current": INDICATORS, "previous": INDICATORS, "changes": CHANGES}
                )
            elif url.path == "/v1/objectives" and csv:
                self._send(OBJECTIVES_CSV, "text/csv; charset=utf-8")
            else:
                self._json({"status": 404, "title": "no"}, 404)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if urlparse(self.path).path == "/v1/decisions/batch":
                asked = json.loads(raw)["decisions"]
                decisions = [{"allowed": True, **d} for d in asked]
                self._json({"policy_revision": 1, "decisions": decisions})
            else:
                self._json({"status": 404, "title": "no"}, 404)

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
    session = Session(subject="claire", token="t", expires_at=time.time() + 3600, session_id="s1")
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    client.cookies.set(SESSION_COOKIE, codec.seal(session))
    return client


def test_the_indicators_page_compares_the_last_weeks_with_the_weeks_before(
    page_of: TestClient, stand_in: StandIn
) -> None:
    page = page_of.get("/indicators?weeks=4")
    assert page.status_code == 200, page.text
    assert "This period against the previous one" in page.text
    assert "The last 4 weeks against the 4 weeks before them." in page.text
    assert "<td>1</td><td>3</td><td>+2</td>" in page.text  # social posts
    assert "<td>65.0%</td><td>72.0%</td><td>+7.0 pt</td>" in page.text
    assert "<td>—</td><td>2.0 h</td><td>—</td>" in page.text  # no previous median
    (asked,) = [q for path, q in stand_in.asked if path == "/v1/indicators/comparison"]
    weekly = [q for path, q in stand_in.asked if path == "/v1/indicators"]
    # The comparison covers exactly the weeks charted: from the first to the last.
    assert asked["since"] == weekly[0]["since"] and asked["until"] == weekly[-1]["until"]
    assert 'href="/indicators/comparison.csv?space=&amp;weeks=4"' in page.text
    french = page_of.get("/indicators?weeks=4", headers={"accept-language": "fr"}).text
    assert "<td>65,0\u00a0%</td><td>72,0\u00a0%</td><td>+7,0 pt</td>" in french
    assert "<td>—</td><td>2,0 h</td><td>—</td>" in french


def test_the_comparison_and_the_objectives_as_csv(page_of: TestClient, stand_in: StandIn) -> None:
    compared = page_of.get("/indicators/comparison.csv?space=cafe&weeks=2")
    assert compared.status_code == 200
    assert compared.headers["content-type"].startswith("text/csv")
    assert compared.content == CSV
    (asked,) = [q for path, q in stand_in.asked if path == "/v1/indicators/comparison"]
    assert asked["space_id"] == ["cafe"] and asked["format"] == ["csv"]
    objectives = page_of.get("/objectives/export.csv")
    assert objectives.status_code == 200 and objectives.content == OBJECTIVES_CSV
    assert 'filename="objectives.csv"' in objectives.headers["content-disposition"]


def test_a_refused_comparison_is_refused_in_the_portal_too(
    page_of: TestClient, stand_in: StandIn
) -> None:
    stand_in.comparison_status = 403
    assert page_of.get("/indicators").status_code == 403
    assert page_of.get("/indicators/comparison.csv").status_code == 403
    # The portal answers a bad query parameter with 400, as on every page.
    assert page_of.get("/indicators/comparison.csv?weeks=99").status_code == 400
