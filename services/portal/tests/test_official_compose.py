"""Writing an official post: the audience picked from the directory's groups with a running
total, a preview as readers will see it, a draft to come back to, a submission withdrawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_people_pages import POST, StandIn, _csrf, a_post, portal_for, running


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        server.allowed = {("post.official", "org"), ("post.official", "space:general")}
        server.answers[("GET", "/v1/search")] = (200, {"hits": [], "total": 0, "facets": {}})
        yield server


def _typed(csrf: str, **fields: object) -> dict[str, object]:
    return {
        "csrf_token": csrf, "space_id": "general", "title": "Charte",
        "body": "Lisez **la charte**.", "tz": "Europe/Paris", **fields,
    }  # fmt: skip


def test_the_audience_is_picked_from_the_groups_with_what_each_reaches(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    page = portal_for(stand_in, signing_key_file, "claire").get("/official")
    assert page.status_code == 200, page.text
    assert 'name="audience_groups" value="sales" data-members="2"' in page.text
    assert "Human resources (3 people)" in page.text
    assert "Sales (2 people)" in page.text
    assert "No group ticked: everyone who can read the space." in page.text


def test_a_preview_shows_the_post_as_rendered_and_the_total_and_sends_nothing(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get("/official").text)
    preview = portal.post(
        "/official", data=_typed(csrf, intent="preview", audience_groups=["sales", "hr", ""])
    )
    assert preview.status_code == 200, preview.text
    assert "Preview: as readers will see it" in preview.text
    assert "<strong>la charte</strong>" in preview.text
    assert "Reaches at most 5 people" in preview.text
    # Both groups stay ticked; nothing was drafted.
    assert preview.text.count("checked") == 2
    assert "/v1/posts" not in stand_in.paths("POST")


def test_an_unknown_group_typed_beside_the_picker_is_refused_even_in_a_preview(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get("/official").text)
    refused = portal.post(
        "/official", data=_typed(csrf, intent="preview", audience_groups=["sales", "engineers"])
    )
    assert refused.status_code == 422
    assert "These groups do not exist: engineers" in refused.text
    assert 'value="engineers"' in refused.text, "the typed id is kept in its field"


def test_a_draft_is_saved_without_being_submitted(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    draft = a_post(POST, kind="official", state="draft", space_id="general")
    stand_in.answers[("POST", "/v1/posts")] = (201, draft)
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get("/official").text)
    saved = portal.post("/official", data=_typed(csrf, intent="draft", audience_groups="sales"))
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/official/{POST}?done=drafted"
    created = [b for m, p, b in stand_in.sent if (m, p) == ("POST", "/v1/posts")]
    assert created[0]["audience_groups"] == ["sales"]
    assert f"/v1/posts/{POST}/submit" not in stand_in.paths("POST")


def test_coming_back_to_a_draft_saves_it_again_or_submits_it(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    draft = a_post(POST, kind="official", state="draft", author_id="claire")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, draft)
    stand_in.answers[("PATCH", f"/v1/posts/{POST}")] = (200, draft)
    stand_in.answers[("POST", f"/v1/posts/{POST}/submit")] = (200, draft | {"state": "submitted"})
    portal = portal_for(stand_in, signing_key_file, "claire")
    form = portal.get(f"/posts/{POST}/edit")
    assert "Save the draft" in form.text and "Save and submit for approval" in form.text
    fields = {"csrf_token": _csrf(form.text), "title": "Charte", "body": "Revue"}

    kept = portal.post(f"/posts/{POST}/edit", data=fields | {"intent": "draft"})
    assert kept.headers["location"] == f"/official/{POST}?done=drafted"
    assert stand_in.paths("PATCH") == [f"/v1/posts/{POST}"]
    assert f"/v1/posts/{POST}/submit" not in stand_in.paths("POST")

    sent = portal.post(f"/posts/{POST}/edit", data=fields | {"intent": "submit"})
    assert sent.headers["location"] == f"/official/{POST}?done=submitted"
    assert f"/v1/posts/{POST}/submit" in stand_in.paths("POST")


@pytest.mark.parametrize(
    ("viewer", "state", "offered"),
    [
        ("claire", "submitted", True),
        ("claire", "approved", True),
        ("claire", "published", False),
        ("marc", "submitted", False),
    ],
)
def test_withdraw_is_offered_to_the_author_of_a_submission_only(
    stand_in: StandIn, signing_key_file: Path, viewer: str, state: str, offered: bool
) -> None:
    post = a_post(POST, kind="official", state=state, author_id="claire")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    page = portal_for(stand_in, signing_key_file, viewer).get(f"/official/{POST}")
    assert page.status_code == 200, page.text
    assert (f"/official/{POST}/withdraw" in page.text) is offered


def test_withdrawing_sends_the_step_and_says_so(stand_in: StandIn, signing_key_file: Path) -> None:
    post = a_post(POST, kind="official", state="submitted", author_id="claire")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    stand_in.answers[("POST", f"/v1/posts/{POST}/withdraw")] = (200, post | {"state": "draft"})
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get(f"/official/{POST}").text)
    withdrawn = portal.post(f"/official/{POST}/withdraw", data={"csrf_token": csrf})
    assert withdrawn.status_code == 303, withdrawn.text
    assert withdrawn.headers["location"] == f"/official/{POST}?done=withdrawn"
    assert f"/v1/posts/{POST}/withdraw" in stand_in.paths("POST")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post | {"state": "draft"})
    after = portal.get(withdrawn.headers["location"])
    assert "Withdrawn: the post is a draft again" in after.text


def test_a_refused_withdrawal_is_shown_on_the_page(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    post = a_post(POST, kind="official", state="published", author_id="claire")
    stand_in.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
    conflict = {"status": 409, "title": "Not in this state", "detail": "The post is published."}
    stand_in.answers[("POST", f"/v1/posts/{POST}/withdraw")] = (409, conflict)
    portal = portal_for(stand_in, signing_key_file, "claire")
    csrf = _csrf(portal.get(f"/official/{POST}").text)
    refused = portal.post(f"/official/{POST}/withdraw", data={"csrf_token": csrf})
    assert refused.status_code == 409
