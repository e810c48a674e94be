"""Editing an official draft or a rejected post changes its audience too, with the compose
page's picker and its refusal of a group the directory does not know."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_people_pages import POST, StandIn, _csrf, a_post, portal_for, running


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        server.allowed = {("post.official", "org"), ("post.official", "space:general")}
        yield server


@pytest.mark.parametrize("state", ["draft", "rejected"])
def test_the_edit_page_shows_the_saved_audience_ticked_and_sends_the_new_one(
    stand_in: StandIn, signing_key_file: Path, state: str
) -> None:
    post = a_post(POST, kind="official", state=state, author_id="claire", audience_groups=["sales"])
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    stand_in.answers[("PATCH", f"/v1/posts/{POST}")] = (200, post)
    stand_in.answers[("POST", f"/v1/posts/{POST}/submit")] = (200, post | {"state": "submitted"})
    portal = portal_for(stand_in, signing_key_file, "claire")
    form = portal.get(f"/posts/{POST}/edit")
    assert form.status_code == 200, form.text
    assert 'value="sales" data-members="2" checked' in form.text
    assert "Reaches at most 2 people" in form.text

    fields = {"csrf_token": _csrf(form.text), "title": "Charte", "body": "Revue"}
    sent = portal.post(f"/posts/{POST}/edit", data=fields | {"audience_groups": ["hr", ""]})
    assert sent.status_code == 303, sent.text
    patched = [b for m, p, b in stand_in.sent if (m, p) == ("PATCH", f"/v1/posts/{POST}")]
    assert patched == [{"title": "Charte", "body": "Revue", "audience_groups": ["hr"]}]


def test_unticking_every_group_sends_an_empty_audience(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    post = a_post(POST, kind="official", state="draft", author_id="claire", audience_groups=["hr"])
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    stand_in.answers[("PATCH", f"/v1/posts/{POST}")] = (200, post)
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get(f"/posts/{POST}/edit").text)
    fields = {"csrf_token": csrf, "title": "Charte", "body": "Revue", "intent": "draft"}
    assert portal.post(f"/posts/{POST}/edit", data=fields).status_code == 303
    [patched] = [b for m, p, b in stand_in.sent if (m, p) == ("PATCH", f"/v1/posts/{POST}")]
    assert patched["audience_groups"] == []


def test_an_unknown_group_is_refused_beside_the_field_and_nothing_is_sent(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    post = a_post(POST, kind="official", state="rejected", author_id="claire")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get(f"/posts/{POST}/edit").text)
    fields = {"csrf_token": csrf, "title": "Charte", "body": "Revue"}
    refused = portal.post(
        f"/posts/{POST}/edit", data=fields | {"audience_groups": ["sales", "engineers"]}
    )
    assert refused.status_code == 422
    assert "These groups do not exist: engineers" in refused.text
    assert 'value="engineers"' in refused.text, "the typed id is kept in its field"
    assert stand_in.paths("PATCH") == []
    assert f"/v1/posts/{POST}/submit" not in stand_in.paths("POST")


def test_a_social_post_edit_has_no_audience(stand_in: StandIn, signing_key_file: Path) -> None:
    post = a_post(POST, author_id="alice")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    stand_in.answers[("PATCH", f"/v1/posts/{POST}")] = (200, post)
    portal = portal_for(stand_in, signing_key_file, "alice")
    form = portal.get(f"/posts/{POST}/edit")
    assert "audience-picker" not in form.text
    fields = {"csrf_token": _csrf(form.text), "title": "Offsite", "body": "Lyon"}
    assert portal.post(f"/posts/{POST}/edit", data=fields).status_code == 303
    [patched] = [b for m, p, b in stand_in.sent if (m, p) == ("PATCH", f"/v1/posts/{POST}")]
    assert "audience_groups" not in patched
