"""The vocabulary page: its text formats, and a save refused because of an edit made
meanwhile (search stands in as a small server over real HTTP, checking versions as search
does), and the search page's best bets and "did you mean"."""

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
from townhall_portal.pages.vocabulary import groups_text, parse_bets, parse_groups
from townhall_portal.session import SESSION_COOKIE, Session, SessionCodec
from townhall_portal.settings import DEV_SESSION_SECRET, PortalSettings

from .conftest import csrf_of

POST = "0b7a3c5e-2f7d-4c1e-9a43-5d2f1e6c8b90"


def test_groups_are_lines_of_terms_separated_by_bars() -> None:
    text = " télétravail |remote work | \n\n| RH | ressources humaines\n  |  \n"
    assert parse_groups(text) == [["télétravail", "remote work"], ["RH", "ressources humaines"]]
    assert parse_groups(groups_text([["a", "b c"], ["d", "e"]])) == [["a", "b c"], ["d", "e"]]


def test_best_bets_are_rows_and_blank_rows_are_dropped() -> None:
    bets = parse_bets(["mutuelle, health insurance", "", "badge", ""], ["p1 p2,p3", "", "", "p4"])
    assert bets == [
        {"keywords": ["mutuelle", "health insurance"], "post_ids": ["p1", "p2", "p3"]},
        # Half-filled rows are kept, for the API's model to refuse with a reason.
        {"keywords": ["badge"], "post_ids": []},
        {"keywords": [], "post_ids": ["p4"]},
    ]


@dataclass
class Search:
    """What the stand-in holds: the vocabulary's versions, and the search it answers."""

    url: str = ""
    versions: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)


def _version(number: int, groups: list[list[str]], by: str | None) -> dict[str, Any]:
    return {
        "version": number, "groups": groups, "best_bets": [], "updated_by": by,
        "updated_at": "2026-12-07T09:00:00Z" if by else None,
    }  # fmt: skip


def _handler(search: Search) -> type[BaseHTTPRequestHandler]:
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
            elif path == "/v1/search/vocabulary":
                self._json(search.versions[-1])
            elif path == "/v1/search":
                self._json(search.results)
            else:
                self._json({"status": 404}, 404)

        def do_PUT(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            latest = search.versions[-1]["version"]
            if body["version"] != latest:
                problem = {"type": "stale-vocabulary", "title": "Stale", "status": 409}
                self._json(problem, 409)
                return
            search.versions.append(_version(latest + 1, body["groups"], "claire"))
            self._json(search.versions[-1])

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = urlparse(self.path).path
            if path.startswith("/v1/searches/") and path.endswith("/opened"):
                search.opened.append(path.split("/")[3])
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/v1/decisions/batch":
                asked = json.loads(raw)["decisions"]
                self._json(
                    {"policy_revision": 1, "decisions": [{"allowed": True, **d} for d in asked]}
                )
            else:
                self._json({"status": 404}, 404)

    return Handler


@pytest.fixture
def search() -> Iterator[Search]:
    port = free_port()
    stand_in = Search(url=f"http://127.0.0.1:{port}", versions=[_version(0, [["a", "b"]], None)])
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal(search: Search, signing_key_file: Path) -> TestClient:
    settings = PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        policy_url=search.url,
        publishing_url=search.url,
        search_url=search.url,
        http_timeout_seconds=5.0,
    )
    client = TestClient(create_app(settings), follow_redirects=False)
    session = Session(
        subject="claire", token="t", expires_at=time.time() + 3600, name="claire", session_id="s"
    )
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    client.cookies.set(SESSION_COOKIE, codec.seal(session))
    return client


def _save(portal: TestClient, page: str, groups: str) -> Any:
    version = page.split('name="version" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_of(page), "version": version, "groups": groups}
    return portal.post("/vocabulary", data=form)


def test_a_save_names_the_version_read_and_a_stale_one_is_told_plainly(
    search: Search, portal: TestClient
) -> None:
    page = portal.get("/vocabulary")
    assert page.status_code == 200, page.text
    assert "a | b" in page.text and "Version 0" in page.text
    search.versions.append(_version(1, [["a", "b"], ["c", "d"]], "sophie"))

    refused = _save(portal, page.text, "a | b\nmine | mien")

    assert refused.status_code == 409
    assert "Someone saved the vocabulary while you were editing it" in refused.text
    assert "a | b\nmine | mien</textarea>" in refused.text  # what was typed is kept
    assert "Version 1, saved meanwhile by sophie" in refused.text
    assert "c | d" in refused.text
    assert len(search.versions) == 2  # nothing was overwritten

    # Saving again from the refused page is a deliberate save on top of version 1.
    saved = _save(portal, refused.text, "a | b\nc | d\nmine | mien")
    assert saved.status_code == 303 and saved.headers["location"] == "/vocabulary?done=1"
    assert search.versions[-1]["version"] == 2
    assert search.versions[-1]["groups"] == [["a", "b"], ["c", "d"], ["mine", "mien"]]


def test_a_group_the_api_model_refuses_is_shown_with_the_form(
    search: Search, portal: TestClient
) -> None:
    page = portal.get("/vocabulary")
    refused = _save(portal, page.text, "a | " + "x" * 101)
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert len(search.versions) == 1


def _hit(hit_id: str, title: str, *, best_bet: bool = False) -> dict[str, Any]:
    return {
        "id": hit_id, "doc_type": "post", "kind": "official" if best_bet else "social",
        "space_id": "general",
        "author_id": "claire", "title": title, "created_at": "2026-12-07T09:00:00Z",
        "score": 1.0, "highlights": {}, "best_bet": best_bet,
    }  # fmt: skip


def test_the_search_page_marks_best_bets_and_links_the_correction(
    search: Search, portal: TestClient
) -> None:
    search.results = {
        "total": 2,
        "hits": [_hit(POST, "Mutuelle: how to enrol", best_bet=True), _hit("p2", "Other")],
        "facets": {},
        "next_cursor": None,
        "did_you_mean": "mutuelle",
    }
    page = portal.get("/search", params={"q": "mutuele", "space": "general"})
    assert page.status_code == 200, page.text
    assert page.text.count('class="card hit official best-bet"') == 1
    first = page.text.index("best-bet-badge")
    assert first < page.text.index("Other")
    assert '<a href="/search?q=mutuelle&amp;space=general"><strong>mutuelle</strong></a>' in (
        page.text
    )


def test_a_result_opens_through_the_portal_which_reports_the_search(
    search: Search, portal: TestClient
) -> None:
    search.results = {
        "total": 11, "hits": [_hit(POST, "Mutuelle")], "facets": {},
        "next_cursor": "c2", "did_you_mean": None, "search_id": "s3arch-1d",
    }  # fmt: skip
    page = portal.get("/search", params={"q": "mutuelle"})
    link = f"/search/open?s=s3arch-1d&amp;to=%2Fposts%2F{POST}"
    assert f'<a href="{link}">' in page.text
    # The next page carries the search it belongs to.
    assert "s=s3arch-1d" in page.text.split('rel="next"')[0].rsplit("<a", 1)[1]

    opened = portal.get(link.replace("&amp;", "&"))
    assert opened.status_code == 303 and opened.headers["location"] == f"/posts/{POST}"
    assert search.opened == ["s3arch-1d"]

    # Only a post of this portal is a destination: no open redirect.
    elsewhere = portal.get("/search/open", params={"s": "s3arch-1d", "to": "https://evil.test/"})
    assert elsewhere.status_code == 400
    assert search.opened == ["s3arch-1d"]
