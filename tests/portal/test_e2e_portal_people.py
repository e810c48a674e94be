"""The portal for people, in Chromium: names and dates, time zones, audiences checked before
approval, editing, undoing, and pages that fit a 390 px screen."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from .conftest import People, assert_accessible, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]

PARIS = ZoneInfo("Europe/Paris")


def _no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the screen, outside the tables that scroll within themselves."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls {overflow} px sideways"


def test_claire_is_stopped_by_an_unknown_group_and_schedules_in_paris_time(
    people: People,
) -> None:
    title = f"Journée portes ouvertes {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    claire.goto("/official")
    expect(claire.get_by_label("Publish at (Paris time, optional)")).to_be_visible()
    claire.get_by_label("Space").select_option("general")
    claire.get_by_label("Title").fill(title)
    claire.get_by_label("Text (Markdown)").fill("Venez nombreux.")
    claire.get_by_label("Other groups, by id (separated by commas)").fill("engineers")
    at = (datetime.now(PARIS) + timedelta(days=2)).replace(hour=8, minute=24, second=0)
    claire.get_by_label("Publish at (Paris time, optional)").fill(at.strftime("%Y-%m-%dT%H:%M"))
    claire.get_by_role("button", name="Save and submit for approval").click()
    expect(claire.locator("#audience_groups-error")).to_contain_text(
        "These groups do not exist: engineers"
    )
    assert_accessible(claire)

    # Picked from the directory's groups rather than typed.
    claire.get_by_label("Other groups, by id (separated by commas)").fill("")
    claire.get_by_role("checkbox", name=re.compile(r"^Engineering \(2 people\)")).check()
    claire.get_by_role("button", name="Save and submit for approval").click()
    expect(claire.locator("#post-state")).to_have_text("Waiting for approval")
    # Shown as typed, in her zone: the instant stored is 08:24 in Paris.
    expect(claire.locator("main")).to_contain_text("8:24")
    expect(claire.locator("main")).to_contain_text(re.compile(r"\(2 people\)"))
    stored = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    expect(claire.locator(f"time[datetime^='{stored}']")).to_have_count(1)


def test_claire_previews_saves_a_draft_comes_back_submits_and_withdraws(people: People) -> None:
    title = f"Plan de mobilité {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    claire.goto("/official")
    claire.get_by_label("Space").select_option("general")
    claire.get_by_label("Title").fill(title)
    claire.get_by_label("Text (Markdown)").fill("Le **covoiturage** est remboursé.")
    total = claire.locator("#audience-total")
    expect(total).to_have_text("No group ticked: everyone who can read the space.")
    # The running total follows the ticks, before anything is sent.
    claire.get_by_role("checkbox", name=re.compile(r"^Engineering \(2 people\)")).check()
    expect(total).to_contain_text("Reaches at most 2 people")
    sales = claire.get_by_role("checkbox", name=re.compile(r"^Sales \("))
    sales.check()
    expect(total).to_contain_text(re.compile(r"Reaches at most [3-9]\d* people"))
    sales.uncheck()
    expect(total).to_contain_text("Reaches at most 2 people")

    claire.get_by_role("button", name="Preview").click()
    expect(claire.locator("#preview-title")).to_be_focused()
    preview = claire.locator(".preview")
    expect(preview.locator("strong")).to_have_text("covoiturage")
    expect(preview).to_contain_text("Reaches at most 2 people")
    assert_accessible(claire)

    claire.get_by_role("button", name="Save as draft").click()
    expect(claire.get_by_role("status")).to_contain_text("Saved as a draft")
    expect(claire.locator("#post-state")).to_have_text("Draft")
    tracking = claire.url.split("?")[0]

    # Back to it later: edited, then submitted.
    claire.goto(tracking)
    claire.get_by_role("link", name="Edit").click()
    claire.get_by_label("Text (Markdown)").fill("Le **covoiturage** est remboursé dès mars.")
    claire.get_by_role("button", name="Save and submit for approval").click()
    expect(claire.locator("#post-state")).to_have_text("Waiting for approval")

    claire.get_by_role("button", name="Withdraw to draft").click()
    expect(claire.get_by_role("status")).to_contain_text("Withdrawn")
    # Focus lands on the notice of what was done; the next Tab goes on from there.
    expect(claire.locator("#notice")).to_be_focused()
    expect(claire.locator("#post-state")).to_have_text("Draft")
    expect(claire.locator("main")).to_contain_text("Withdrawn by its author")
    assert_accessible(claire)


def test_marc_approves_neither_his_own_post_nor_one_already_approved(people: People) -> None:
    marc = people.page("marc")
    marc.goto("/approvals")
    for state in ("Approved", "Scheduled", "Published"):
        expect(marc.locator(".card .meta", has_text=f"Status: {state}")).to_have_count(0)
    assert_accessible(marc)


def test_claire_edits_and_resubmits_after_a_rejection(people: People) -> None:
    title = f"Fermeture estivale {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    claire.goto("/official")
    claire.get_by_label("Space").select_option("general")
    claire.get_by_label("Title").fill(title)
    claire.get_by_label("Text (Markdown)").fill("Le site ferme en août.")
    claire.get_by_role("button", name="Save and submit for approval").click()
    tracking = claire.url.split("?")[0]

    marc = people.page("marc")
    marc.goto("/approvals")
    card = marc.get_by_role("article", name=title)
    card.get_by_label("Reason").fill("Give the exact dates")
    card.get_by_role("button", name="Reject").click()
    expect(marc.get_by_role("status")).to_contain_text("Done")

    claire.goto(tracking)
    claire.get_by_role("link", name="Edit").click()
    expect(claire.locator("#rejection")).to_contain_text("Give the exact dates")
    claire.get_by_label("Text (Markdown)").fill("Le site ferme du 1er au 21 août.")
    assert_accessible(claire)
    claire.get_by_role("button", name="Save and submit again").click()
    expect(claire.locator("#post-state")).to_have_text("Waiting for approval")


def test_alice_edits_and_deletes_her_post_and_takes_her_like_back(people: People) -> None:
    title = f"Covoiturage {uuid.uuid4().hex[:6]}"
    alice = people.page("alice")
    alice.goto("/compose?space=engineering")
    alice.get_by_label("Title").fill(title)
    alice.get_by_label("Text (Markdown)").fill("Qui vient de Lyon ?")
    alice.get_by_role("button", name="Publish").click()
    expect(alice.locator(".post .meta")).to_contain_text("by Alice Dubois in Engineering")

    alice.get_by_role("button", name=re.compile("^Like")).click()
    expect(alice.get_by_role("button", name=re.compile(r"^Like \(1\)"))).to_be_visible()
    alice.get_by_role("button", name=re.compile("^Like")).click()
    expect(alice.get_by_role("button", name="Like", exact=True)).to_be_visible()

    alice.get_by_role("link", name="Edit", exact=True).click()
    alice.get_by_label("Title").fill(f"{title} (mis à jour)")
    alice.get_by_role("button", name="Save the changes").click()
    expect(alice.get_by_role("status")).to_contain_text("Your changes are saved")
    expect(alice.get_by_role("heading", level=1)).to_contain_text("(mis à jour)")

    alice.get_by_label("Your comment").fill("Départ 7 h.")
    alice.get_by_role("button", name="Comment", exact=True).click()
    alice.get_by_role("button", name=re.compile("^Delete Your comment")).click()
    expect(alice.get_by_role("status")).to_contain_text("Your comment is deleted")

    alice.get_by_role("button", name="Delete this post").click()
    expect(alice.get_by_role("status")).to_contain_text("The post is deleted")
    expect(alice.get_by_role("article", name=re.compile(re.escape(title)))).to_have_count(0)


def test_zoe_is_offered_only_the_space_she_may_write_in(people: People) -> None:
    zoe = people.page("zoe")
    zoe.goto("/compose")
    options = zoe.get_by_label("Space").locator("option").all_inner_texts()
    assert "Café" not in options and "Projet Phoenix" in options, options
    assert_accessible(zoe)


def test_pages_fit_a_small_screen_in_french(people: People) -> None:
    claire = people.page("claire", locale="fr-FR", width=390)
    for path in ("/", "/spaces", "/search?q=site", "/official", "/indicators"):
        claire.goto(path)
        _no_sideways_scroll(claire)
        assert_accessible(claire)
    header = claire.evaluate("() => document.querySelector('header.top').offsetHeight")
    assert header <= 844 * 0.2, f"the header takes {header} px of 844"
    screenshot(claire, "small-screen-indicators")
    olivier = people.page("olivier", width=390)
    olivier.goto("/compliance")
    _no_sideways_scroll(olivier)
    assert_accessible(olivier)
