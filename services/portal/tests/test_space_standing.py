"""Joining, leaving and following spaces from the portal: only what policy allows is
offered, the rest explained; each form says the state it asks for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_people_pages import AT, StandIn, _csrf, portal_for, running


def _space(space_id: str, name: str, kind: str = "community", **fields: Any) -> dict[str, Any]:
    return {
        "id": space_id, "name": name, "kind": kind, "visibility": "public", "description": "",
        "created_by": "paul", "created_at": AT, "archived_at": None, "member": False,
        "following": False, **fields,
    }  # fmt: skip


SPACES = [
    _space("general", "Général", "announcement", member=True),
    _space("engineering", "Engineering", member=True, following=True),
    _space("cafe", "Café"),
    _space("phoenix", "Projet Phoenix", visibility="restricted", member=True),
    _space("ancien", "Ancien", archived_at=AT),
]


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        server.answers[("GET", "/v1/spaces")] = (200, {"items": SPACES})
        server.allowed = {("post.social", "space:engineering"), ("post.social", "space:cafe")}
        yield server


def test_the_spaces_page_offers_what_policy_allows_and_explains_the_rest(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    page = portal_for(stand_in, signing_key_file, "alice").get("/spaces")
    assert page.status_code == 200, page.text
    html = page.text
    # Café: joinable (policy allows taking part) and followable.
    assert 'id="membership-cafe"' in html and 'id="follow-cafe"' in html
    # Engineering: a member who follows it leaves or stops following, each form says so.
    assert 'id="membership-engineering" class="secondary">Leave' in html
    assert 'id="follow-engineering" class="secondary" aria-pressed="true">Following' in html
    # Announcements and restricted spaces are not joined; the archived one not followed.
    assert 'id="membership-general"' not in html
    assert "Everyone reads announcements: there is nothing to join." in html
    assert 'id="membership-phoenix"' not in html
    assert "A restricted space&#39;s owners add and remove its members." in html
    assert 'id="follow-ancien"' not in html and 'id="membership-ancien"' not in html
    assert "This space is archived: nobody joins it any more." in html


def test_who_may_not_take_part_is_told_why_rather_than_offered_join(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    stand_in.allowed = set()
    html = portal_for(stand_in, signing_key_file, "olivier").get("/spaces").text
    assert 'id="membership-cafe"' not in html
    assert "You may read this community but not take part in it" in html
    assert 'id="follow-cafe"' in html  # reading is enough to follow


@pytest.mark.parametrize(
    ("change", "state", "method", "notice"),
    [
        ("membership", "on", "PUT", "joined"),
        ("membership", "off", "DELETE", "left"),
        ("follow", "on", "PUT", "followed"),
        ("follow", "off", "DELETE", "unfollowed"),
    ],
)
def test_each_form_sends_the_state_it_asks_for_and_focus_returns_to_its_button(
    stand_in: StandIn, signing_key_file: Path, change: str, state: str, method: str, notice: str
) -> None:
    path = f"/v1/spaces/cafe/{change}"
    stand_in.answers[(method, path)] = (200, SPACES[2])
    portal = portal_for(stand_in, signing_key_file, "alice")
    csrf = _csrf(portal.get("/spaces").text)
    sent = portal.post(f"/spaces/cafe/{change}", data={"csrf_token": csrf, "state": state})
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/spaces?done={notice}&space=cafe#{change}-cafe"
    assert path in stand_in.paths(method)
    shown = portal.get(sent.headers["location"].split("#")[0])
    assert 'role="status"' in shown.text


def test_leaving_what_one_already_left_is_the_state_asked_for(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    gone = {"status": 409, "type": "https://townhall.dev/problems/not-a-member"}
    stand_in.answers[("DELETE", "/v1/spaces/cafe/membership")] = (409, gone)
    portal = portal_for(stand_in, signing_key_file, "alice")
    csrf = _csrf(portal.get("/spaces").text)
    left = portal.post("/spaces/cafe/membership", data={"csrf_token": csrf, "state": "off"})
    assert left.status_code == 303


def test_a_refusal_is_shown_on_the_page_the_form_came_from(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    refusal = {
        "status": 403,
        "title": "Forbidden",
        "reason": {"summary": "olivier may not post.social in space:cafe", "missing": "member"},
    }
    stand_in.answers[("PUT", "/v1/spaces/cafe/membership")] = (403, refusal)
    stand_in.answers[("GET", "/v1/spaces/cafe")] = (200, SPACES[2])
    stand_in.answers[("GET", "/v1/spaces/cafe/posts")] = (200, {"items": [], "next_cursor": None})
    portal = portal_for(stand_in, signing_key_file, "olivier")
    csrf = _csrf(portal.get("/spaces/cafe").text)
    refused = portal.post(
        "/spaces/cafe/membership", data={"csrf_token": csrf, "state": "on", "back": "space"}
    )
    assert refused.status_code == 403
    assert 'role="alert"' in refused.text
    assert "<h1>Café</h1>" in refused.text


def test_an_unknown_change_is_not_found(stand_in: StandIn, signing_key_file: Path) -> None:
    portal = portal_for(stand_in, signing_key_file, "alice")
    csrf = _csrf(portal.get("/spaces").text)
    assert portal.post("/spaces/cafe/explode", data={"csrf_token": csrf}).status_code == 404
