"""Pages speak of people, spaces and times as people do, and offer only what one may use.

Publishing and policy stand in as one small server over real HTTP in a thread: answers
set per test, every request kept so a test can say what the portal sent (or did not send).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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

AT = "2026-12-07T09:00:00Z"
DIRECTORY = {
    "alice": {"id": "alice", "kind": "user", "display_name": "Alice Dubois", "members": None},
    "claire": {"id": "claire", "kind": "user", "display_name": "Claire Martin", "members": None},
    "sales": {"id": "sales", "kind": "group", "display_name": "Sales", "members": 2},
    "hr": {"id": "hr", "kind": "group", "display_name": "Human resources", "members": 3},
}
SPACES = [
    {"id": "general", "name": "Général", "kind": "announcement"},
    {"id": "engineering", "name": "Engineering", "kind": "community"},
    {"id": "cafe", "name": "Café", "kind": "community"},
]


def a_post(post_id: str, **fields: Any) -> dict[str, Any]:
    """A post as publishing answers it; `fields` change what the test is about."""
    post: dict[str, Any] = {
        "id": post_id, "space_id": "engineering", "kind": "social", "title": "Offsite",
        "body": "Offsite", "body_html": "<p>Offsite</p>", "mentions": [], "author_id": "alice",
        "state": "published", "authority": None, "audience_groups": [], "audience_spaces": [],
        "requires_acknowledgement": False, "version": 1, "revision": 1, "edit_count": 0,
        "decision_id": None, "policy_revision": 1, "created_at": AT, "updated_at": AT,
        "published_at": AT, "submitted_at": None, "approved_by": None, "approved_at": None,
        "rejected_by": None, "rejection_reason": None, "scheduled_at": None,
        "retracted_by": None, "retracted_at": None, "retraction_reason": None,
        "pinned": False, "pinned_by": None, "endorsed_by": None, "endorsed_at": None,
        "hidden_at": None, "hidden_reason": None, "comment_count": 0, "reactions": {},
    }  # fmt: skip
    return post | fields


@dataclass
class StandIn:
    url: str = ""
    # (method, path) -> (status, body); what is not here answers 404.
    answers: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    # (action, domain) pairs policy allows the signed-in user.
    allowed: set[tuple[str, str]] = field(default_factory=set)
    names_down: bool = False
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    def paths(self, method: str) -> list[str]:
        return [path for m, path, _ in self.sent if m == method]


def _answer(stand_in: StandIn, method: str, path: str, body: Any) -> tuple[int, Any]:
    if path == "/v1/revision":
        return 200, {"policy_revision": 1, "details": {}}
    if path == "/v1/spaces" and method == "GET" and (method, path) not in stand_in.answers:
        extra = {"visibility": "public", "description": "", "created_by": "paul"}
        return 200, {"items": [s | extra | {"created_at": AT, "archived_at": None} for s in SPACES]}
    if path == "/v1/decisions/batch":
        decisions = [
            d | {"allowed": (d["action"], d["domain"]) in stand_in.allowed}
            for d in body["decisions"]
        ]
        return 200, {"policy_revision": 1, "decisions": decisions}
    if path == "/v1/directory/names":
        if stand_in.names_down:
            return 503, {"status": 503}
        found = [DIRECTORY[i] for i in body["ids"] if i in DIRECTORY]
        return 200, {"subjects": found, "policy_revision": 1}
    if path == "/v1/directory/groups" and not stand_in.names_down:
        groups = [s for s in DIRECTORY.values() if s["kind"] == "group"]
        return 200, {"subjects": groups, "policy_revision": 1}
    return stand_in.answers.get((method, path), (404, {"status": 404}))


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            body = json.loads(raw) if raw else None
            path = urlparse(self.path).path
            stand_in.sent.append((self.command, path, body))
            status, answer = _answer(stand_in, self.command, path, body)
            data = b"" if status == 204 else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler


@contextmanager
def running() -> Iterator[StandIn]:
    port = free_port()
    stand_in = StandIn(url=f"http://127.0.0.1:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


def portal_for(stand_in: StandIn, signing_key_file: Path, subject: str) -> TestClient:
    """The portal against the stand-in, signed in as `subject`."""
    settings = PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        policy_url=stand_in.url,
        publishing_url=stand_in.url,
        search_url=stand_in.url,
        http_timeout_seconds=5.0,
        default_time_zone="Europe/Paris",
    )
    client = TestClient(create_app(settings), follow_redirects=False)
    session = Session(
        subject=subject, token="t", expires_at=time.time() + 3600, name=subject, session_id="s1"
    )
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    client.cookies.set(SESSION_COOKIE, codec.seal(session))
    return client


POST = "0b7a3c5e-2f7d-4c1e-9a43-5d2f1e6c8b90"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        yield server


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def test_a_post_names_its_author_and_space_and_dates_itself_in_the_readers_zone(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    portal = portal_for(stand_in, signing_key_file, "bob")

    english = portal.get(f"/posts/{POST}")
    assert english.status_code == 200, english.text
    assert "by Alice Dubois in Engineering" in english.text
    # 09:00 UTC is 10:00 in Paris in December; no seconds, no microseconds.
    assert "Dec 7, 2026, 10:00" in english.text and "10:00:00" not in english.text

    portal.cookies.set("townhall_lang", "fr")
    portal.cookies.set("townhall_tz", "America/New_York")
    french = portal.get(f"/posts/{POST}")
    assert "par Alice Dubois dans Engineering" in french.text
    assert "7 déc. 2026, 04:00" in french.text


def test_without_policys_names_a_page_still_shows_ids(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.names_down = True
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    page = portal_for(stand_in, signing_key_file, "bob").get(f"/posts/{POST}")
    assert page.status_code == 200
    assert "by alice in Engineering" in page.text


def test_the_official_form_is_refused_before_typing_to_those_who_may_not_use_it(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    page = portal_for(stand_in, signing_key_file, "zoe").get("/official")
    assert page.status_code == 403
    assert "Only the communications team can publish official posts" in page.text
    assert 'name="title"' not in page.text


def test_compose_offers_only_the_spaces_one_may_write_in(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.allowed = {("post.social", "space:engineering")}
    page = portal_for(stand_in, signing_key_file, "bob").get("/compose")
    assert page.status_code == 200
    assert ">Engineering</option>" in page.text
    assert "Café" not in page.text

    stand_in.allowed = set()
    refused = portal_for(stand_in, signing_key_file, "zoe").get("/compose")
    assert refused.status_code == 403
    assert "You may not write in this space" in refused.text


def _official_form(portal: object, **fields: str) -> dict[str, str]:
    return {"space_id": "general", "title": "Charte", "body": "Lisez-la."} | fields


def test_an_unknown_group_is_refused_at_draft_and_the_time_is_the_users(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.allowed = {("post.official", "org"), ("post.official", "space:general")}
    stand_in.answers[("GET", "/v1/search")] = (200, {"hits": [], "total": 0, "facets": {}})
    portal = portal_for(stand_in, signing_key_file, "claire")
    form = portal.get("/official")
    assert form.status_code == 200, form.text
    assert "Publish at (Paris time, optional)" in form.text

    typed = {
        "csrf_token": _csrf(form.text), "space_id": "general", "title": "Charte",
        "body": "Lisez-la.", "audience_groups": "engineers, sales",
        "publish_at": "2030-03-04T08:24", "tz": "Europe/Paris",
    }  # fmt: skip
    refused = portal.post("/official", data=typed)
    assert refused.status_code == 422
    assert "These groups do not exist: engineers" in refused.text
    assert not [p for p in stand_in.paths("POST") if p == "/v1/posts"], "nothing was drafted"

    draft = a_post(POST, kind="official", state="draft", space_id="general")
    stand_in.answers[("POST", "/v1/posts")] = (201, draft)
    stand_in.answers[("POST", f"/v1/posts/{POST}/submit")] = (200, draft | {"state": "submitted"})
    sent = portal.post("/official", data=typed | {"audience_groups": "sales"})
    assert sent.status_code == 303, sent.text
    submitted = [b for m, p, b in stand_in.sent if p == f"/v1/posts/{POST}/submit"]
    # 08:24 in Paris on 4 March is 07:24 UTC: the instant sent is the one the user meant.
    assert submitted == [{"publish_at": "2030-03-04T07:24:00Z"}]


def test_approvals_show_only_what_awaits_the_viewer_and_never_approve_an_unknown_group(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    own = a_post("p-own", kind="official", state="submitted", author_id="marc", title="Mine")
    done = a_post("p-done", kind="official", state="approved", title="Already approved")
    typo = a_post(
        POST, kind="official", state="submitted", title="Typo", audience_groups=["engineers"]
    )
    good = a_post("p-good", kind="official", state="submitted", audience_groups=["sales"])
    queue = {"items": [own, done, typo, good | {"title": "Good"}]}
    stand_in.answers[("GET", "/v1/workflow/queue")] = (200, queue)
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, typo)
    portal = portal_for(stand_in, signing_key_file, "marc")

    page = portal.get("/approvals")
    assert page.status_code == 200, page.text
    assert "Mine" not in page.text and "Already approved" not in page.text
    assert "Sales (2 people)" in page.text
    assert "engineers (unknown group)" in page.text
    assert "Cannot be approved: its audience names unknown groups" in page.text
    assert page.text.count("/approve") == 1, "Approve is offered for the good post only"

    approve = portal.post(
        f"/official/{POST}/approve", data={"csrf_token": _csrf(page.text), "back": "approvals"}
    )
    assert approve.status_code == 409
    assert f"/v1/posts/{POST}/approve" not in stand_in.paths("POST")


def test_the_like_button_says_what_it_does_and_a_resent_form_changes_nothing(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST, my_reactions=["like"]))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    stand_in.answers[("POST", f"/v1/posts/{POST}/reactions")] = (409, {"status": 409})
    stand_in.answers[("DELETE", f"/v1/posts/{POST}/reactions/like")] = (404, {"status": 404})
    portal = portal_for(stand_in, signing_key_file, "bob")
    page = portal.get(f"/posts/{POST}")
    assert 'name="like" value="off"' in page.text
    assert 'aria-pressed="true"' in page.text
    csrf = _csrf(page.text)

    # Taking back a like already taken back (a double click, a resent form) is no error, and
    # liking what is liked already does not take it back.
    taken_back = portal.post(f"/posts/{POST}/react", data={"csrf_token": csrf, "like": "off"})
    assert taken_back.status_code == 303, taken_back.text
    location = taken_back.headers["location"]
    assert location == f"/posts/{POST}#react-like", "focus back on the Like"
    assert stand_in.paths("DELETE") == [f"/v1/posts/{POST}/reactions/like"]
    liked = portal.post(f"/posts/{POST}/react", data={"csrf_token": csrf, "like": "on"})
    assert liked.status_code == 303, liked.text
    assert f"/v1/posts/{POST}/reactions" in stand_in.paths("POST")
    assert len(stand_in.paths("DELETE")) == 1, "a like given already is not taken back"


def test_a_post_not_liked_offers_a_like(stand_in: StandIn, signing_key_file: Path) -> None:
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST, my_reactions=[]))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    page = portal_for(stand_in, signing_key_file, "bob").get(f"/posts/{POST}")
    assert 'name="like" value="on"' in page.text
    assert 'aria-pressed="false"' in page.text


def test_an_empty_report_reason_is_shown_next_to_its_open_field(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    portal = portal_for(stand_in, signing_key_file, "bob")
    page = portal.get(f"/posts/{POST}")
    refused = portal.post(f"/posts/{POST}/report", data={"csrf_token": _csrf(page.text)})
    assert refused.status_code == 422
    assert '<details class="report" open>' in refused.text
    assert 'id="reason-error"' in refused.text


def test_the_author_edits_and_deletes_but_nobody_else_may(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    stand_in.answers[("PATCH", f"/v1/posts/{POST}")] = (200, a_post(POST, title="New"))
    stand_in.answers[("DELETE", f"/v1/posts/{POST}")] = (204, None)
    alice = portal_for(stand_in, signing_key_file, "alice")
    form = alice.get(f"/posts/{POST}/edit")
    assert form.status_code == 200 and 'value="Offsite"' in form.text
    data = {"csrf_token": _csrf(form.text), "title": "New", "body": "Offsite"}
    saved = alice.post(f"/posts/{POST}/edit", data=data)
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=edited")
    deleted = alice.post(f"/posts/{POST}/delete", data={"csrf_token": data["csrf_token"]})
    assert deleted.status_code == 303 and deleted.headers["location"] == "/?done=deleted"

    bob = portal_for(stand_in, signing_key_file, "bob")
    assert bob.get(f"/posts/{POST}/edit").status_code == 403
    assert AT


def test_comments_and_endorsements_are_taken_back_and_a_refusal_shows_the_post_again(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    comment = "c0ffee00-0000-4000-8000-000000000001"
    on_comment = f"/v1/posts/{POST}/comments/{comment}"
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, a_post(POST))
    stand_in.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
    stand_in.answers[("PATCH", on_comment)] = (204, None)
    stand_in.answers[("DELETE", on_comment)] = (204, None)
    conflict = {"title": "Conflict", "status": 409, "detail": "Not endorsed by alice."}
    stand_in.answers[("DELETE", f"/v1/posts/{POST}/endorse")] = (409, conflict)
    alice = portal_for(stand_in, signing_key_file, "alice")
    csrf = _csrf(alice.get(f"/posts/{POST}").text)

    edited = alice.post(
        f"{on_comment.removeprefix('/v1')}/edit", data={"csrf_token": csrf, "body": "Better"}
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == f"/posts/{POST}#c-{comment}"
    assert ("PATCH", on_comment, {"body": "Better"}) in stand_in.sent
    # An empty comment is refused by the form: nothing is sent, the post is shown again.
    empty = alice.post(
        f"{on_comment.removeprefix('/v1')}/edit", data={"csrf_token": csrf, "body": ""}
    )
    assert empty.status_code == 422 and stand_in.paths("PATCH") == [on_comment]
    deleted = alice.post(f"{on_comment.removeprefix('/v1')}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/posts/{POST}?done=comment_deleted#comments"
    assert stand_in.paths("DELETE") == [on_comment]
    # Publishing refuses: the post page again, with the refusal and its status.
    refused = alice.post(f"/posts/{POST}/unendorse", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "Not endorsed by alice." in refused.text


def test_the_official_page_lists_ones_posts_with_their_state_in_words(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.allowed = {("post.official", "org"), ("post.official", "space:general")}
    hit = {
        "id": POST, "doc_type": "post", "post_id": None, "kind": "official",
        "space_id": "general", "author_id": "claire", "title": "Charte", "score": 1.0,
        "created_at": AT, "highlights": {},
    }  # fmt: skip
    stand_in.answers[("GET", "/v1/search")] = (200, {"hits": [hit], "total": 1, "facets": {}})
    post = a_post(
        POST, kind="official", state="scheduled", space_id="general", author_id="claire",
        audience_groups=["sales"], scheduled_at="2030-03-04T07:24:00Z", approved_by="marc",
    )  # fmt: skip
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    page = portal_for(stand_in, signing_key_file, "claire").get("/official")
    assert page.status_code == 200, page.text
    assert "Scheduled" in page.text and "Général" in page.text
