"""Search's vocabulary in the portal, in headless Chromium against the services started for
real: a communicator keeps best bets and synonym groups (and is told plainly when someone
saved meanwhile), an employee sees the best bet first and marked, and follows "did you
mean". The vocabulary is shared by the module's other tests: edits here only add lines."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import People, assert_accessible, screenshot


def _to(*, post: str) -> str:
    """The end of a result link: results open through `/search/open`, which counts the
    opening for the search-success indicator, then goes to the post."""
    return f"to=%2Fposts%2F{post}"


def _opens(post: str) -> re.Pattern[str]:
    return re.compile(rf"^/search/open\?s=[^&]+&{re.escape(_to(post=post))}$")


pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def _published(system: Any, *, kind: str, title: str, body: str) -> str:
    """A post published through the API (an official one submitted, approved, published)."""
    author = "claire" if kind == "official" else "alice"
    space = "general" if kind == "official" else "engineering"
    client = system.as_user("publishing", author)
    created = client.post(
        "/v1/posts", json={"space_id": space, "kind": kind, "title": title, "body": body}
    )
    assert created.status_code == 201, created.text
    post_id = str(created.json()["id"])
    if kind == "official":
        for user, step in (("claire", "submit"), ("marc", "approve"), ("claire", "publish")):
            answer = system.as_user("publishing", user).post(f"/v1/posts/{post_id}/{step}")
            assert answer.status_code == 200, answer.text
    return post_id


def _indexed(system: Any, post_id: str, word: str) -> None:
    found = system.wait_for_search(
        "alice", lambda r: post_id in [h["id"] for h in r["hits"]], q=word
    )
    assert post_id in [h["id"] for h in found["hits"]], f"{post_id} never indexed"


def _add_best_bet(page: Page, keyword: str, post_id: str) -> None:
    """Fill the first blank best-bet row (existing rows come first, filled)."""
    rows = page.locator(".bet-row")
    for i in range(rows.count()):
        keywords = rows.nth(i).get_by_label(re.compile("^Keywords"))
        if not keywords.input_value():
            keywords.fill(keyword)
            rows.nth(i).get_by_label(re.compile("^Post identifiers")).fill(post_id)
            return
    raise AssertionError("no blank best-bet row offered")


def test_a_communicator_adds_a_best_bet_and_an_employee_sees_it_first_and_marked(
    system: Any, people: People
) -> None:
    marker = uuid.uuid4().hex[:8]
    keyword = f"badgeguide{marker}"
    official = _published(
        system, kind="official", title=f"Badge guide {marker}", body="How to get a badge."
    )
    # An ordinary post holding the keyword, which would otherwise rank alone.
    social = _published(
        system, kind="social", title=f"My {keyword} question", body=f"Where is {keyword}?"
    )
    _indexed(system, official, marker)
    _indexed(system, social, keyword)

    claire = people.page("claire")
    claire.get_by_role("link", name="Search vocabulary").click()
    expect(claire.get_by_role("heading", level=1, name="Search vocabulary")).to_be_visible()
    groups = claire.get_by_label("Groups of equivalent terms")
    groups.fill(groups.input_value() + f"\nzorbax{marker} | quibble{marker}")
    _add_best_bet(claire, keyword, official)
    assert_accessible(claire)
    claire.get_by_role("button", name="Save a new version").click()
    expect(claire.get_by_role("status")).to_contain_text("The vocabulary is saved")
    expect(claire.get_by_label("Groups of equivalent terms")).to_contain_text(
        f"zorbax{marker} | quibble{marker}"
    )
    screenshot(claire, "vocabulary")

    alice = people.page("alice")
    alice.goto(f"/search?q={keyword}")
    first = alice.locator(".hit").first
    expect(first).to_have_class(re.compile(r"\bbest-bet\b"))
    expect(first.locator(".best-bet-badge")).to_have_text("Recommended")
    expect(first.get_by_role("link")).to_have_attribute("href", _opens(official))
    expect(alice.locator(".hit.best-bet")).to_have_count(1)
    expect(alice.locator(f'.hit a[href$="{_to(post=social)}"]')).to_have_count(1)
    assert_accessible(alice)
    # The synonym group applies at once: the other term finds what the first one holds.
    synonym = _published(
        system, kind="social", title=f"Note on zorbax{marker}", body="Nothing else."
    )
    _indexed(system, synonym, f"zorbax{marker}")
    alice.goto(f"/search?q=quibble{marker}")
    expect(alice.locator(f'.hit a[href$="{_to(post=synonym)}"]')).to_have_count(1)


def test_an_edit_saved_meanwhile_is_told_plainly_and_what_was_typed_is_kept(
    people: People,
) -> None:
    marker = uuid.uuid4().hex[:8]
    first = people.page("claire")
    second = people.page("claire")
    first.goto("/vocabulary")
    second.goto("/vocabulary")

    groups = first.get_by_label("Groups of equivalent terms")
    groups.fill(groups.input_value() + f"\nfirstterm{marker} | premierterme{marker}")
    first.get_by_role("button", name="Save a new version").click()
    expect(first.get_by_role("status")).to_contain_text("The vocabulary is saved")

    mine = f"secondterm{marker} | deuxiemeterme{marker}"
    groups = second.get_by_label("Groups of equivalent terms")
    groups.fill(groups.input_value() + "\n" + mine)
    second.get_by_role("button", name="Save a new version").click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("Someone saved the vocabulary while you were editing it")
    # What was typed is still there; the version saved meanwhile is shown beside it.
    expect(second.get_by_label("Groups of equivalent terms")).to_contain_text(mine)
    newer = second.get_by_role("region", name=re.compile(r"saved meanwhile by"))
    expect(newer).to_contain_text(f"firstterm{marker}")
    assert_accessible(second)
    screenshot(second, "vocabulary-conflict")

    # Saving again, having seen the other version, is a deliberate new version.
    groups.fill(groups.input_value() + f"\nfirstterm{marker} | premierterme{marker}")
    second.get_by_role("button", name="Save a new version").click()
    expect(second.get_by_role("status")).to_contain_text("The vocabulary is saved")
    expect(second.get_by_label("Groups of equivalent terms")).to_contain_text(mine)


def test_an_employee_is_not_offered_the_vocabulary_and_is_refused_it(people: People) -> None:
    alice = people.page("alice")
    expect(alice.get_by_role("link", name="Search vocabulary")).to_have_count(0)
    response = alice.goto("/vocabulary")
    assert response is not None and response.status == 403
    assert_accessible(alice)


def test_did_you_mean_is_a_link_that_searches_the_correction(system: Any, people: People) -> None:
    marker = uuid.uuid4().hex[:6]
    word = f"pumpkinsoup{marker}"
    post_id = _published(system, kind="social", title=f"Recipe {word}", body=f"A {word} recipe.")
    _indexed(system, post_id, word)

    alice = people.page("alice")
    # One letter wrong: typo tolerance still finds the post, and the word is offered.
    typo = word.replace("soup", "soap")
    alice.goto(f"/search?q={typo}")
    suggestion = alice.locator(".did-you-mean").get_by_role("link", name=word)
    expect(suggestion).to_be_visible()
    assert_accessible(alice)
    suggestion.click()
    expect(alice.get_by_label("Search for")).to_have_value(word)
    expect(alice.locator(".did-you-mean")).to_have_count(0)
    expect(alice.locator(f'.hit a[href$="{_to(post=post_id)}"]')).to_have_count(1)
