"""The official voice cannot be borrowed by an edit, and signing out ends the session.

Policy, publishing, search and the portal as real processes, over HTTP (no browser: the
pages are read as HTML). The attack: alice writes a social post; claire endorses and pins
it; sophie answers officially under it; alice rewrites it. Then a copy of a session cookie
is tried after its owner signed out.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from townhall_contracts.publishing.engagement import CommentCreate
from townhall_contracts.publishing.posts import PostCreate, PostKind, PostUpdate

from .conftest import Portal

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def browse(portal: Portal) -> Iterator[Any]:
    """Sign a demo user in to the portal; an HTTP client holding their session."""
    clients: list[httpx.Client] = []

    def signed_in(user: str) -> httpx.Client:
        client = httpx.Client(base_url=portal.url, follow_redirects=False, timeout=15.0)
        clients.append(client)
        token = _csrf(client.get("/sign-in").text)
        response = client.post("/sign-in", data={"csrf_token": token, "user": user, "next": "/"})
        assert response.status_code == 303, response.text
        return client

    yield signed_in
    for client in clients:
        client.close()


def test_an_edit_drops_what_vouched_for_the_old_text_everywhere(system: Any, browse: Any) -> None:
    tag = "zv" + uuid.uuid4().hex[:10]
    publishing, token = system.publishing, system.token
    post = publishing.create_post(
        PostCreate(
            space_id="engineering",
            kind=PostKind.SOCIAL,
            title="Our team offsite",
            body="We are planning the team offsite in June.",
        ),
        user_token=token("alice"),
    )
    endorsed = publishing.endorse(post.id, user_token=token("claire"))
    publishing.pin(post.id, user_token=token("claire"))
    answer = publishing.comment(
        post.id,
        CommentCreate(body="Confirmed: this is the company's position.", official=True),
        user_token=token("sophie"),
    )
    bob = browse("bob")
    before = bob.get(f"/posts/{post.id}")
    assert before.status_code == 200
    assert "Endorsed by Claire Martin" in before.text
    assert "Official answer" in before.text

    edit = PostUpdate(title=f"Official: layoffs next month {tag}", body="Details to follow.")
    publishing.edit_post(post.id, edit, user_token=token("alice"))

    read = publishing.post(post.id, user_token=token("bob"))
    assert read.revision == 2
    assert read.endorsement is None and read.endorsed_by is None
    assert read.pin is None and read.pinned is False
    feed = publishing.feed(user_token=token("david"))
    assert all(not item.pinned for item in feed.items if item.id == post.id)
    comments = publishing.comments(post.id, user_token=token("bob"))
    lapsed = next(c for c in comments if c.id == answer.id)
    assert (lapsed.post_revision, lapsed.post_edited_since) == (1, True)
    steps = publishing.history(post.id, user_token=token("bob")).steps
    endorse = next(s for s in steps if s.step == "endorse")
    assert (endorse.revision, endorse.actor_id) == (1, "claire")
    assert endorse.decision_id == endorsed.decision_id
    lapse = next(s for s in steps if s.step == "endorsement-lapsed")
    assert lapse.revision == 2
    assert lapse.ends is not None and lapse.ends.decision_id == endorsed.decision_id
    # Search indexed the new text (the edit's document reached it).
    found = system.wait_for_search(
        "david", lambda r: post.id in [h["id"] for h in r["hits"]], q=tag
    )
    assert post.id in [hit["id"] for hit in found["hits"]]
    # The portal shows the new text as alice's alone.
    after = bob.get(f"/posts/{post.id}")
    assert after.status_code == 200
    assert f"Official: layoffs next month {tag}" in after.text
    assert "Endorsed by" not in after.text
    assert "Official answer" not in after.text
    assert "Answered revision 1 of this post, since edited by its author" in after.text
    # An endorsement asked from the page of revision 1 is refused: claire never read
    # revision 2.
    claire = browse("claire")
    csrf = _csrf(claire.get(f"/posts/{post.id}").text)
    stale = claire.post(f"/posts/{post.id}/endorse", data={"csrf_token": csrf, "revision": "1"})
    assert stale.status_code == 409
    assert publishing.post(post.id, user_token=token("bob")).endorsement is None


def test_a_copied_session_cookie_is_refused_after_sign_out(portal: Portal, browse: Any) -> None:
    owner = browse("alice")
    copied = owner.cookies["townhall_session"]
    with httpx.Client(base_url=portal.url, follow_redirects=False, timeout=15.0) as thief:
        thief.cookies.set("townhall_session", copied)
        assert thief.get("/spaces").status_code == 200

        token = _csrf(owner.get("/spaces").text)
        signed_out = owner.post("/sign-out", data={"csrf_token": token})
        assert signed_out.status_code == 303

        refused = thief.get("/spaces")
        assert refused.status_code == 303
        assert refused.headers["location"].startswith("/sign-in")
