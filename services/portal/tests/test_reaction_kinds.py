"""Every reaction kind publishing knows, on a post's page: counted per kind, toggled by a
form that says the state it asks for; a kind publishing does not know is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from townhall_contracts.publishing.engagement import ReactionKind

from .test_people_pages import POST, StandIn, _csrf, a_post, portal_for, running


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        post = a_post(POST, reactions={"like": 2, "celebrate": 1}, my_reactions=["celebrate"])
        server.answers[("GET", f"/v1/posts/{POST}")] = (200, post)
        server.answers[("GET", f"/v1/posts/{POST}/comments")] = (200, {"items": []})
        yield server


def test_each_kind_has_its_button_its_count_and_its_pressed_state(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    html = portal_for(stand_in, signing_key_file, "bob").get(f"/posts/{POST}").text
    for kind in ReactionKind:
        assert f'id="react-{kind.value}"' in html, kind
    assert 'id="react-like" aria-pressed="false">Like (2)' in html
    assert 'id="react-celebrate" aria-pressed="true">Celebrate (1)' in html
    assert 'id="react-curious" aria-pressed="false">Curious</button>' in html
    french = portal_for(stand_in, signing_key_file, "bob")
    french.cookies.set("townhall_lang", "fr")
    assert "Bravo (1)" in french.get(f"/posts/{POST}").text


def test_a_second_click_takes_the_kind_back_and_focus_returns_to_it(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    summary = {"post_id": POST, "counts": {}, "mine": []}
    stand_in.answers[("DELETE", f"/v1/posts/{POST}/reactions/celebrate")] = (200, summary)
    stand_in.answers[("POST", f"/v1/posts/{POST}/reactions")] = (201, summary)
    portal = portal_for(stand_in, signing_key_file, "bob")
    csrf = _csrf(portal.get(f"/posts/{POST}").text)
    off = {"csrf_token": csrf, "kind": "celebrate", "like": "off"}
    taken_back = portal.post(f"/posts/{POST}/react", data=off)
    assert taken_back.headers["location"] == f"/posts/{POST}#react-celebrate"
    assert stand_in.paths("DELETE") == [f"/v1/posts/{POST}/reactions/celebrate"]
    support = portal.post(
        f"/posts/{POST}/react", data={"csrf_token": csrf, "kind": "support", "like": "on"}
    )
    assert support.headers["location"] == f"/posts/{POST}#react-support"
    [sent] = [b for m, p, b in stand_in.sent if (m, p) == ("POST", f"/v1/posts/{POST}/reactions")]
    assert sent == {"kind": "support"}


def test_an_unknown_kind_is_refused_and_nothing_is_sent(
    stand_in: StandIn, signing_key_file: Path
) -> None:
    portal = portal_for(stand_in, signing_key_file, "bob")
    csrf = _csrf(portal.get(f"/posts/{POST}").text)
    refused = portal.post(f"/posts/{POST}/react", data={"csrf_token": csrf, "kind": "angry"})
    assert refused.status_code == 422
    assert "Townhall does not know this reaction." in refused.text
    assert f"/v1/posts/{POST}/reactions" not in stand_in.paths("POST")
