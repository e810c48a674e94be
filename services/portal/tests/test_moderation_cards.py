"""A moderator's report card: the post's title, space and author, the reported text, a
reason field per action with its error beside it, and the post's moderation history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_people_pages import AT, POST, StandIn, _csrf, a_post, portal_for, running

REPORT = {
    "id": "r1", "post_id": POST, "comment_id": None, "space_id": "cafe", "reporter_id": "alice",
    "reason": "Spam", "status": "open", "created_at": AT, "resolved_by": None,
    "resolved_at": None, "resolution": None,
}  # fmt: skip
ACTION = {
    "id": 1, "post_id": POST, "comment_id": None, "space_id": "cafe", "action": "restore",
    "moderator_id": "claire", "reason": "Pas du spam", "at": AT, "decision_id": None,
    "policy_revision": None,
}  # fmt: skip


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        server.allowed = {("moderate", "space:cafe")}
        post = a_post(
            POST, space_id="cafe", title="Vends vélo", body="Vélo   à vendre " + "x" * 400
        )
        server.answers[("GET", "/v1/moderation/reports")] = (200, {"items": [REPORT]})
        server.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
        server.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
        server.answers[("GET", "/v1/moderation/actions")] = (200, {"items": [ACTION]})
        yield server


def test_a_card_shows_title_space_author_excerpt_and_history(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    page = portal_for(stand_in, signing_key_file, "farid").get("/moderation")
    assert page.status_code == 200, page.text
    html = page.text
    assert f'<a href="/posts/{POST}">Vends vélo</a>' in html
    assert POST + "</a>" not in html, "the card names the post, not its id"
    assert "written by Alice Dubois" in html  # the post's author (a_post: alice)
    assert "Reported by Alice Dubois" in html
    assert "<blockquote>Vélo à vendre xxx" in html and "…</blockquote>" in html
    assert "Moderation history (1)" in html
    assert "Claire Martin · restored · Pas du spam" in html


def test_an_empty_reason_is_shown_beside_the_field_of_that_action_only(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    portal = portal_for(stand_in, signing_key_file, "farid")
    csrf = _csrf(portal.get("/moderation").text)
    refused = portal.post(
        f"/moderation/{POST}/dismiss", data={"csrf_token": csrf, "report_id": "r1", "reason": ""}
    )
    assert refused.status_code == 422
    html = refused.text
    assert 'id="dismiss-r1" name="reason" aria-invalid="true"' in html
    assert 'id="dismiss-r1-error"' in html
    assert 'id="hide-r1" name="reason" aria-invalid' not in html, "the others are untouched"
    assert "/v1/moderation/reports/r1/dismiss" not in stand_in.paths("POST")


def test_a_moderator_sees_the_history_on_the_post_page_and_others_do_not(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    moderator = portal_for(stand_in, signing_key_file, "farid").get(f"/posts/{POST}")
    assert 'id="moderation-history"' in moderator.text
    assert "Pas du spam" in moderator.text
    stand_in.allowed = set()
    reader = portal_for(stand_in, signing_key_file, "bob").get(f"/posts/{POST}")
    assert 'id="moderation-history"' not in reader.text
    assert "/v1/moderation/actions" not in [p for p in stand_in.paths("GET")][-3:]
