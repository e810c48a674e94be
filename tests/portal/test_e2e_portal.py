"""The portal in headless Chromium, against the four services started for real."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from townhall_portal.session import CSRF_COOKIE, SESSION_COOKIE, Session, SessionCodec
from townhall_portal.settings import DEV_SESSION_SECRET

from .conftest import People, Portal, assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def _search_until(page: Page, query: str, expected: str, timeout: float = 20.0) -> None:
    """Search as a person would, again until the relay has indexed what we look for."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/search")
        page.get_by_label("Search for").fill(query)
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_load_state()
        if page.get_by_role("link", name=re.compile(re.escape(expected))).count() or (
            time.monotonic() > deadline
        ):
            return
        time.sleep(0.3)


def test_an_employee_posts_and_another_finds_it_through_the_search_page(
    people: People,
) -> None:
    marker = uuid.uuid4().hex[:8]
    title = f"Heat pump pilot {marker}"
    alice = people.page("alice")
    expect(alice.get_by_role("heading", name="Your feed")).to_be_visible()
    screenshot(alice, "feed")
    assert_accessible(alice)

    alice.goto("/compose?space=engineering")
    alice.get_by_label("Title").fill(title)
    alice.get_by_label("Text (Markdown)").fill(
        f"The **geothermal** pilot {marker} starts in the Lyon office.\n\n- phase one\n- phase two"
    )
    alice.get_by_role("button", name="Preview").click()
    preview = alice.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("geothermal")
    expect(preview.locator("li")).to_have_count(2)
    screenshot(alice, "compose-preview")
    assert_accessible(alice)
    alice.get_by_role("button", name="Publish").click()
    expect(alice.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(alice.get_by_role("status")).to_contain_text("Your post is published")

    # Alice comments on her own post.
    alice.get_by_label("Your comment").fill("Questions welcome here.")
    alice.get_by_role("button", name="Comment", exact=True).click()
    alice.wait_for_load_state()

    bob = people.page("bob")
    _search_until(bob, f"geothermal {marker}", title)
    # Type-ahead: typing offers the readable titles that complete the text.
    bob.goto("/search")
    bob.get_by_label("Search for").press_sequentially(f"Heat pump pilot {marker[:4]}", delay=20)
    expect(bob.locator(f'#q-suggestions option[value="{title}"]')).to_have_count(1)
    _search_until(bob, f"geothermal {marker}", title)
    result = bob.get_by_role("link", name=re.compile(re.escape(title)))
    expect(result).to_have_count(1)
    # The snippet highlights the words searched for.
    expect(bob.locator(".snippet mark").first).to_be_visible()
    marks = [m.lower() for m in bob.locator(".hit mark").all_inner_texts()]
    assert any("geothermal" in m or marker in m for m in marks), marks
    # Facets are filters: choosing the space keeps the hit, with the filter marked current.
    bob.get_by_role("link", name=re.compile(r"^Engineering \(\d+\)$")).click()
    expect(bob.get_by_role("link", name=re.compile(r"^Engineering \(\d+\)$"))).to_have_attribute(
        "aria-current", "true"
    )
    expect(bob.get_by_role("link", name=re.compile(re.escape(title)))).to_have_count(1)
    screenshot(bob, "search")
    assert_accessible(bob)
    bob.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(bob.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(bob.locator(".post strong")).to_have_text("geothermal")
    screenshot(bob, "post")
    assert_accessible(bob)


def test_search_pages_through_results(people: People) -> None:
    alice = people.page("alice")
    alice.goto("/search?q=&space=engineering")
    alice.goto("/search?space=engineering")
    heading = alice.get_by_role("heading", name=re.compile(r"^\d+ results?$"))
    total = int(heading.inner_text().split()[0])
    assert total > 10  # the seeded engineering space has more than a page
    first_page = alice.locator(".hit h3").all_inner_texts()
    assert len(first_page) == 10
    alice.get_by_role("link", name="Next results").click()
    second_page = alice.locator(".hit h3").all_inner_texts()
    assert second_page and not set(first_page) & set(second_page)
    expect(alice.get_by_role("link", name="First results")).to_be_visible()


def test_a_non_member_cannot_open_a_restricted_space_nor_find_its_posts(
    people: People,
) -> None:
    title = "Draft: parental leave policy update"  # seeded in hr-confidential
    chloe = people.page("chloe")  # a member: the positive control
    chloe.goto("/spaces/hr-confidential")
    expect(chloe.get_by_role("heading", level=1)).to_have_text(re.compile("RH|HR|onfidential"))
    expect(chloe.locator("article.card").first).to_be_visible()
    screenshot(chloe, "space")
    assert_accessible(chloe)
    _search_until(chloe, "parental leave", title)
    expect(chloe.get_by_role("link", name=re.compile(re.escape(title)))).to_have_count(1)

    bob = people.page("bob")
    bob.goto("/spaces")
    expect(bob.get_by_role("link", name=re.compile("engineering", re.I)).first).to_be_visible()
    assert "hr-confidential" not in bob.content()
    screenshot(bob, "spaces")
    assert_accessible(bob)
    response = bob.goto("/spaces/hr-confidential")
    assert response is not None and response.status == 404
    expect(bob.get_by_role("alert")).to_contain_text("does not exist, or you may not see it")
    assert_accessible(bob)
    assert "parental" not in bob.content().lower()
    bob.goto("/search")
    bob.get_by_label("Search for").fill("parental leave")
    bob.get_by_role("button", name="Search", exact=True).click()
    expect(bob.get_by_role("heading", name=re.compile(r"^\d+ results?$"))).to_be_visible()
    # No hit: a "did you mean" built from bob's own readable hits may be offered, not a post.
    hits = bob.locator("article.hit")
    expect(hits.get_by_role("link", name=re.compile("parental leave", re.I))).to_have_count(0)
    assert "hr-confidential" not in bob.locator("main").inner_text()
    # Nor by filtering on the space, nor by opening one of its posts directly.
    bob.goto("/search?space=hr-confidential")
    expect(bob.get_by_role("heading", name="0 results")).to_be_visible()
    post_link = chloe.get_by_role("link", name=re.compile(re.escape(title))).get_attribute("href")
    assert post_link
    assert (bob.goto(post_link) or pytest.fail("no response")).status == 404


def test_forms_validate_and_redisplay_with_the_error_next_to_the_field(people: People) -> None:
    alice = people.page("alice")
    alice.goto("/compose")
    alice.get_by_label("Title").fill("x" * 230)
    alice.get_by_role("button", name="Publish").click()
    expect(alice.locator("#title-error")).to_have_text("At most 200 characters.")
    expect(alice.locator("#body-error")).to_have_text("This field is required.")
    expect(alice.locator("#space_id-error")).to_have_text("This field is required.")
    expect(alice.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    expect(alice.get_by_label("Title")).to_have_value("x" * 230)
    screenshot(alice, "compose-errors")
    assert_accessible(alice)


def test_a_space_one_may_not_see_is_refused_as_a_missing_one(people: People) -> None:
    # zoe is a contractor, member of projet-phoenix only: engineering is not hers to see.
    zoe = people.page("zoe")
    zoe.goto("/compose?space=engineering")
    if zoe.get_by_label("Space").locator("option[value=engineering]").count() == 0:
        # Not offered: forge the choice as a tampered form would.
        zoe.evaluate(
            "() => { const o = document.createElement('option'); o.value = 'engineering';"
            " o.text = 'engineering'; document.querySelector('#space_id').append(o); }"
        )
    zoe.get_by_label("Space").select_option("engineering")
    zoe.get_by_label("Title").fill("Not allowed here")
    zoe.get_by_label("Text (Markdown)").fill("Should be refused.")
    zoe.get_by_role("button", name="Publish").click()
    alert = zoe.get_by_role("alert")
    expect(alert).to_contain_text("Not allowed")
    text = alert.inner_text()
    assert "No space 'engineering'" in text, text
    # Nothing tells her it exists: no role, no policy reason about it.
    assert not re.search(r"role|rôle|member|employee|post\.social", text), text


def test_language_follows_the_browser_and_can_be_switched(people: People) -> None:
    page = people.page(locale="fr-FR")
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)
    screenshot(page, "sign-in-fr")
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Development sign-in")
    screenshot(page, "sign-in")
    sign_in(page, "emma")
    expect(page.get_by_role("heading", name="Your feed")).to_be_visible()


def test_an_expired_session_goes_to_sign_in_and_back_to_the_page_asked(
    people: People, portal: Portal
) -> None:
    page = people.page("alice")
    # Replace the session with one that expired a minute ago (sealed with the dev secret).
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=3600, secure=False)
    stale = codec.seal(
        Session(subject="alice", token="t", expires_at=time.time() - 60, name="Alice")
    )
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": stale, "url": portal.url}])
    page.goto("/search?q=badge")
    assert page.url.startswith(f"{portal.url}/sign-in?next=")
    expect(page.get_by_role("status")).to_contain_text("Your session has expired")
    page.get_by_label("Demo user", exact=True).select_option("alice")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert page.url == f"{portal.url}/search?q=badge"
    expect(page.get_by_label("Search for")).to_have_value("badge")


def test_a_forged_or_missing_csrf_token_is_refused(people: People, portal: Portal) -> None:
    page = people.page("alice")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert CSRF_COOKIE in cookies and SESSION_COOKIE in cookies
    form = {"space_id": "engineering", "title": "Forged", "body": "Forged", "intent": "publish"}
    with httpx.Client(base_url=portal.url, cookies=cookies) as client:
        missing = client.post("/compose", data=form)
        forged = client.post("/compose", data={**form, "csrf_token": "0" * 64})
    for answer in (missing, forged):
        assert answer.status_code == 403
        assert "did not come from Townhall" in answer.text
    # Nothing was published.
    page.goto("/search?q=Forged&space=engineering")
    expect(page.get_by_role("heading", name="0 results")).to_be_visible()
