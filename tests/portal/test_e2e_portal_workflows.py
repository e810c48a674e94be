"""Portal scenarios over the policy and publishing workflows, in headless Chromium.

- the official workflow and acknowledgement tracking; rejection with a reason; retraction
  (gone from the feed and search); scheduled publishing;
- who-can at a past date and verifying the audit trail;
- moderation (hide, restore, dismiss) and the official voice in a discussion (answer, endorse);
- reactions; the navigation following a grant and its revocation without signing out;
- axe-core on the staff pages.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import People, Portal, assert_accessible, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def _reload_until(
    page: Page, path: str, condition: Callable[[], bool], timeout: float = 30.0
) -> bool:
    """Open `path` again and again (as a person pressing reload) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(path)
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(250)


def _draft_official(claire: Page, title: str, body: str = "Texte de l'annonce.") -> str:
    """Claire drafts an official post in general and submits it; its tracking page."""
    claire.goto("/official")
    claire.get_by_label("Space").select_option("general")
    claire.get_by_label("Title").fill(title)
    claire.get_by_label("Text (Markdown)").fill(body)
    claire.get_by_role("button", name="Save and submit for approval").click()
    expect(claire.locator("#post-state")).to_have_text("Waiting for approval")
    return claire.url.split("?")[0]


def _approve(marc: Page, title: str) -> None:
    marc.goto("/approvals")
    card = marc.get_by_role("article", name=title)
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(marc.get_by_role("status")).to_contain_text("Done")


def _ack_rate(page: Page) -> float:
    text = page.locator("#ack-rate").inner_text().replace("%", "").strip()
    return float(text)


def test_a_communicator_drafts_an_approver_approves_an_employee_acknowledges(
    people: People,
) -> None:
    title = f"Nouvelle charte de sécurité {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    claire.get_by_role("link", name="Official posts").click()
    claire.get_by_label("Space").select_option("general")
    claire.get_by_label("Title").fill(title)
    claire.get_by_label("Text (Markdown)").fill("Merci de lire la **nouvelle charte**.")
    claire.get_by_label("Require acknowledgement").check()
    assert_accessible(claire)
    screenshot(claire, "official-compose")
    claire.get_by_role("button", name="Save and submit for approval").click()
    expect(claire.get_by_role("status")).to_contain_text("Submitted for approval")
    expect(claire.locator("#post-state")).to_have_text("Waiting for approval")
    tracking_url = claire.url.split("?")[0]

    # Nobody else sees it yet.
    alice = people.page("alice")
    expect(alice.get_by_role("heading", name=title)).to_have_count(0)

    marc = people.page("marc")
    marc.get_by_role("link", name="Approvals").click()
    card = marc.get_by_role("article", name=title)
    expect(card).to_be_visible()
    screenshot(marc, "approvals")
    assert_accessible(marc)
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(marc.get_by_role("status")).to_contain_text("Done")

    claire.goto(tracking_url)
    expect(claire.locator("#post-state")).to_have_text("Approved")
    claire.get_by_role("button", name="Publish now").click()
    expect(claire.locator("#post-state")).to_have_text("Published")
    before = _ack_rate(claire)
    expect(claire.locator("ul.pending li", has_text="Alice Dubois")).to_have_count(1)

    alice.goto("/")
    post = alice.get_by_role("article", name=title)
    expect(post).to_be_visible()
    # Official first: the post comes before any social post of the feed.
    first_titles = alice.locator("article.card h3").all_inner_texts()[:3]
    assert title in first_titles, first_titles
    expect(post.get_by_text("Please read and acknowledge this post.")).to_be_visible()
    screenshot(alice, "feed-acknowledgement")
    post.get_by_role("button", name="I have read this").click()
    expect(alice.get_by_role("status")).to_contain_text("Acknowledged")
    # Back in the feed, the post no longer asks her to acknowledge it.
    alice.goto("/")
    post = alice.get_by_role("article", name=title)
    expect(post.get_by_text("Acknowledged", exact=True)).to_be_visible()
    expect(post.get_by_text("Please read and acknowledge this post.")).to_have_count(0)
    expect(post.get_by_role("button", name="I have read this")).to_have_count(0)

    claire.reload()
    after = _ack_rate(claire)
    assert after > before, (before, after)
    expect(claire.locator("ul.pending li", has_text="Alice Dubois")).to_have_count(0)
    screenshot(claire, "acknowledgement-tracking")
    assert_accessible(claire)

    claire.get_by_role("link", name="Indicators").click()
    expect(claire.get_by_role("heading", name="Acknowledgement rate")).to_be_visible()
    expect(claire.locator("svg.chart")).to_have_count(4)
    screenshot(claire, "indicators")
    assert_accessible(claire)


def test_an_employee_cannot_draft_official_posts_and_sees_why(
    people: People, portal: Portal
) -> None:
    alice = people.page("alice")
    expect(alice.get_by_role("link", name="Official posts")).to_have_count(0)
    # Refused before she types anything, in plain words.
    response = alice.goto("/official")
    assert response is not None and response.status == 403
    alert = alice.get_by_role("alert")
    expect(alert).to_contain_text("Only the communications team can publish official posts")
    expect(alice.get_by_label("Title")).to_have_count(0)
    assert_accessible(alice)


def test_a_compliance_officer_answers_who_can_at_a_past_date_and_verifies_the_trail(
    people: People, portal: Portal
) -> None:
    before_grant = datetime.now(UTC).replace(microsecond=0)
    time.sleep(1.1)
    paul = people.page("paul")
    paul.get_by_role("link", name="Grants").click()
    paul.get_by_label("Person (id)").fill("david")
    paul.get_by_label("Role").select_option("communicator")
    paul.get_by_label("Domain", exact=True).fill("org")
    paul.get_by_role("button", name="Grant", exact=True).click()
    # A grant without a justification is refused next to the field.
    expect(paul.locator("#justification-error")).to_have_text("This field is required.")
    paul.locator("#justification").fill("Interim communications for the Lyon site")
    paul.get_by_role("button", name="Grant", exact=True).click()
    expect(paul.get_by_role("status")).to_contain_text("Done")
    expect(
        paul.get_by_role("row", name=re.compile(r"David Simon \(david\) Communicator org"))
    ).to_have_count(1)
    screenshot(paul, "grants")
    assert_accessible(paul)

    olivier = people.page("olivier")
    olivier.get_by_role("link", name="Compliance").click()
    olivier.get_by_label("Action").select_option("post.official")
    olivier.get_by_label("Domain", exact=True).select_option("org")
    olivier.get_by_label(re.compile("^At")).fill(before_grant.strftime("%Y-%m-%dT%H:%M:%S"))
    olivier.get_by_role("button", name="Answer").click()
    table = olivier.locator("table.who-can[data-domain=org]")
    expect(table.get_by_role("cell", name="Claire Martin (claire)", exact=True)).to_have_count(1)
    expect(table.get_by_role("cell", name="David Simon (david)", exact=True)).to_have_count(0)
    screenshot(olivier, "who-can")
    assert_accessible(olivier)

    olivier.get_by_label(re.compile("^At")).fill("")
    olivier.get_by_role("button", name="Answer").click()
    table = olivier.locator("table.who-can[data-domain=org]")
    row = table.get_by_role("row", name=re.compile(r"^David Simon \(david\) "))
    expect(row).to_contain_text("Paul Fournier (paul)")
    expect(row).to_contain_text("Interim communications for the Lyon site")

    # The CSV export is policy's, through the portal, with the user's rights.
    export = olivier.get_by_role("link", name="Export CSV").get_attribute("href")
    assert export
    cookies = {c["name"]: c["value"] for c in olivier.context.cookies()}
    answer = httpx.get(portal.url + export, cookies=cookies)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "david" in answer.text and "claire" in answer.text

    olivier.get_by_role("link", name="Audit trail").click()
    expect(
        olivier.get_by_role("cell", name="Interim communications for the Lyon site")
    ).to_be_visible()
    # Event types and actors in words, the actor's id beside the name.
    granted = olivier.get_by_role("row", name=re.compile("Interim communications for the Lyon"))
    expect(granted.first).to_contain_text("Role granted")
    expect(granted.first).to_contain_text("Paul Fournier (paul)")
    olivier.get_by_role("button", name="Verify the chain").click()
    expect(olivier.locator("#chain-state")).to_contain_text("The audit trail is intact.")
    screenshot(olivier, "audit-trail")
    assert_accessible(olivier)

    olivier.get_by_role("link", name="Roles and history of a person").click()
    olivier.get_by_label("Person").fill("david")
    olivier.get_by_role("button", name="Answer").click()
    # Roles in words, the id beside the name for the officer who matches it to the exports.
    expect(
        olivier.get_by_role("cell", name="Communicator (communicator)", exact=True).first
    ).to_be_visible()
    assert_accessible(olivier)

    # Access reviews: open one of a space; its grants are listed to keep or revoke.
    olivier.get_by_role("link", name="Access reviews").click()
    olivier.get_by_label("Domain").fill("space:engineering")
    olivier.get_by_label("Justification").fill("Quarterly review of engineering")
    olivier.get_by_role("button", name="Open a review").click()
    expect(olivier.get_by_role("heading", name="Review of space:engineering")).to_be_visible()
    expect(olivier.get_by_role("button", name="Keep").first).to_be_visible()
    assert_accessible(olivier)

    # Compliance officers change nothing: granting is refused with policy's reason.
    olivier.goto("/grants")
    olivier.get_by_label("Person (id)").fill("olivier")
    olivier.get_by_label("Role").select_option("approver")
    olivier.get_by_label("Domain", exact=True).fill("org")
    olivier.locator("#justification").fill("Trying to change something")
    olivier.get_by_role("button", name="Grant", exact=True).click()
    expect(olivier.get_by_role("alert")).to_contain_text("Not allowed")

    # The policy admin revokes, with a justification; who-can no longer lists david.
    paul.goto("/grants?subject=david")
    row = paul.get_by_role("row", name=re.compile(r"David Simon \(david\) Communicator org"))
    row.get_by_label("Justification").fill("Interim over")
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(paul.get_by_role("status")).to_contain_text("Done")
    expect(
        paul.get_by_role("row", name=re.compile(r"David Simon \(david\) Communicator org"))
    ).to_have_count(0)
    olivier.goto("/compliance?action=post.official&domain=org")
    table = olivier.locator("table.who-can[data-domain=org]")
    expect(table.get_by_role("cell", name="David Simon (david)", exact=True)).to_have_count(0)


def test_a_moderator_hides_a_reported_post_with_a_reason(people: People) -> None:
    title = f"Vends vélo {uuid.uuid4().hex[:6]}"
    bob = people.page("bob")
    bob.goto("/compose?space=cafe")
    bob.get_by_label("Title").fill(title)
    bob.get_by_label("Text (Markdown)").fill("Prix à débattre.")
    bob.get_by_role("button", name="Publish").click()
    post_url = bob.url.split("?")[0]

    alice = people.page("alice")
    alice.goto(post_url)
    alice.locator("summary", has_text="Report to moderators").click()
    alice.get_by_label("Why are you reporting this?").fill("Sales are not allowed in cafe")
    alice.get_by_role("button", name="Report to moderators").click()
    expect(alice.get_by_role("status")).to_contain_text("moderators will look at it")

    nadia = people.page("nadia")
    nadia.get_by_role("link", name="Moderation").click()
    report = nadia.get_by_role("article").filter(has_text="Sales are not allowed in cafe")
    expect(report).to_have_count(1)
    # The card names the post, its space and author, and quotes what was reported.
    expect(report.get_by_role("heading", name=title)).to_be_visible()
    expect(report).to_contain_text("written by Bob Moreau")
    expect(report.locator("blockquote")).to_have_text("Prix à débattre.")
    # An empty reason is refused beside the field of the action tried.
    report.get_by_role("button", name="Hide").click()
    expect(nadia.locator("[aria-invalid=true]")).to_have_count(1)
    expect(nadia.locator(".field-error")).to_have_text("Give a reason of at least 3 characters.")
    report = nadia.get_by_role("article").filter(has_text="Sales are not allowed in cafe")
    screenshot(nadia, "moderation")
    assert_accessible(nadia)
    report.locator("input[name=reason]").first.fill("Classified ads go to the marketplace")
    report.get_by_role("button", name="Hide").click()
    expect(nadia.get_by_role("status")).to_contain_text("Done")
    # Hiding resolved the report: it left the queue.
    expect(
        nadia.get_by_role("article").filter(has_text="Sales are not allowed in cafe")
    ).to_have_count(0)

    response = alice.goto(post_url)
    assert response is not None and response.status == 404
    # The author still sees it, marked hidden.
    bob.goto(post_url)
    expect(bob.get_by_text("Hidden by a moderator")).to_be_visible()

    # The moderator restores it from its page, with a reason; readers see it again.
    nadia.goto(post_url)
    expect(
        nadia.locator(".restore").get_by_text("Classified ads go to the marketplace")
    ).to_be_visible()
    # The post's moderation history, for moderators: who hid it and why.
    nadia.locator("#moderation-history summary").click()
    expect(nadia.locator("#moderation-history")).to_contain_text("Nadia Benali · hidden")
    nadia.get_by_role("button", name="Restore this post").click()
    expect(nadia.locator("#restore_reason-error")).to_have_text("This field is required.")
    assert_accessible(nadia)
    nadia.get_by_label("Reason (shown to the author)").fill(
        "The author moved the ad to the marketplace"
    )
    nadia.get_by_role("button", name="Restore this post").click()
    expect(nadia.get_by_role("status")).to_contain_text("Done")
    expect(nadia.get_by_text("Hidden by a moderator")).to_have_count(0)
    response = alice.goto(post_url)
    assert response is not None and response.status == 200
    expect(alice.get_by_role("heading", level=1, name=title)).to_be_visible()

    # A report the moderator finds unfounded is dismissed, with a reason; the post stays.
    alice.locator("summary", has_text="Report to moderators").click()
    alice.get_by_label("Why are you reporting this?").fill("Still looks like an ad to me")
    alice.get_by_role("button", name="Report to moderators").click()
    expect(alice.get_by_role("status")).to_contain_text("moderators will look at it")
    nadia.goto("/moderation")
    report = nadia.get_by_role("article").filter(has_text="Still looks like an ad to me")
    expect(report).to_have_count(1)
    report.get_by_label("Reason (shown to the author)").nth(2).fill("Allowed since restored")
    report.get_by_role("button", name="Dismiss").click()
    expect(nadia.get_by_role("status")).to_contain_text("Done")
    expect(
        nadia.get_by_role("article").filter(has_text="Still looks like an ad to me")
    ).to_have_count(0)
    response = alice.goto(post_url)
    assert response is not None and response.status == 200


def test_a_spokesperson_answers_officially_in_a_thread_and_endorses(people: People) -> None:
    bob = people.page("bob")
    bob.goto("/compose?space=engineering")
    title = f"Question on the reorganisation {uuid.uuid4().hex[:6]}"
    bob.get_by_label("Title").fill(title)
    bob.get_by_label("Text (Markdown)").fill("Will the Lyon site change?")
    bob.get_by_role("button", name="Publish").click()
    post_url = bob.url.split("?")[0]

    sophie = people.page("sophie")
    sophie.goto(post_url)
    sophie.get_by_label("Your comment").fill("No: the Lyon site keeps its teams.")
    sophie.get_by_label("Answer officially").check()
    sophie.get_by_label("Speaking for").fill("Direction de la communication")
    sophie.get_by_role("button", name="Comment", exact=True).click()
    answer = sophie.locator(".comment.official")
    expect(answer).to_contain_text("Official answer")
    expect(answer).to_contain_text("Direction de la communication")
    assert_accessible(sophie)

    # An employee's comment never looks official, and they are not offered the choice.
    expect(bob.get_by_label("Answer officially")).to_have_count(0)
    expect(bob.get_by_role("button", name="Endorse")).to_have_count(0)

    # The spokesperson endorses (communicators may too): the post stays Bob's, marked endorsed.
    sophie.goto(post_url)
    sophie.get_by_role("button", name="Endorse").click()
    expect(sophie.get_by_role("status")).to_contain_text("Done")
    bob.goto(post_url)
    expect(bob.locator("#endorsement")).to_have_text("Endorsed by Sophie Bernard")
    expect(bob.get_by_text("by Bob Moreau in Engineering")).to_be_visible()
    assert_accessible(bob)


def test_an_approver_rejects_with_a_reason_and_the_communicator_sees_it(
    people: People,
) -> None:
    title = f"Fermeture du site {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    tracking_url = _draft_official(claire, title)

    marc = people.page("marc")
    marc.goto("/approvals")
    card = marc.get_by_role("article", name=title)
    # A rejection needs a reason.
    card.get_by_role("button", name="Reject").click()
    expect(marc.get_by_role("alert")).to_contain_text("Give a reason of at least 3 characters")
    card = marc.get_by_role("article", name=title)
    card.get_by_label("Reason").fill("The date is not confirmed yet")
    card.get_by_role("button", name="Reject").click()
    expect(marc.get_by_role("status")).to_contain_text("Done")
    expect(marc.get_by_role("article", name=title)).to_have_count(0)

    claire.goto(tracking_url)
    expect(claire.locator("#post-state")).to_have_text("Rejected")
    expect(claire.locator("#rejection-reason")).to_have_text("The date is not confirmed yet")
    expect(claire.get_by_role("row", name=re.compile("Rejected Marc Lefebvre"))).to_contain_text(
        "The date is not confirmed yet"
    )
    assert_accessible(claire)


def test_a_communicator_retracts_a_published_post_and_it_leaves_feed_and_search(
    people: People,
) -> None:
    marker = uuid.uuid4().hex[:8]
    title = f"Horaires d'été {marker}"
    claire = people.page("claire")
    tracking_url = _draft_official(claire, title, f"Les horaires d'été {marker} commencent.")
    _approve(people.page("marc"), title)
    claire.goto(tracking_url)
    claire.get_by_role("button", name="Publish now").click()
    expect(claire.locator("#post-state")).to_have_text("Published")

    alice = people.page("alice")
    alice.goto("/")
    expect(alice.get_by_role("article", name=title)).to_be_visible()
    found = alice.get_by_role("link", name=re.compile(re.escape(title)))
    assert _reload_until(alice, f"/search?q={marker}", lambda: found.count() == 1)

    claire.get_by_label("Why retract it?").fill("Published by mistake")
    claire.get_by_role("button", name="Retract").click()
    expect(claire.get_by_role("status")).to_contain_text("Retracted: the post has left the feeds")
    # Kept for compliance only: its page is gone for its author too.
    response = claire.goto(tracking_url)
    assert response is not None and response.status == 404

    alice.goto("/")
    expect(alice.get_by_role("article", name=title)).to_have_count(0)
    assert _reload_until(alice, f"/search?q={marker}", lambda: found.count() == 0)
    expect(alice.get_by_role("link", name=re.compile(re.escape(title)))).to_have_count(0)


def test_a_scheduled_post_appears_once_its_time_comes(people: People) -> None:
    title = f"Assemblée générale {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    tracking_url = _draft_official(claire, title)
    _approve(people.page("marc"), title)
    claire.goto(tracking_url)
    # A time already past is refused next to nothing changed.
    claire.get_by_label("Publish at").fill("2001-01-01T10:00:00")
    claire.get_by_role("button", name="Schedule").click()
    expect(claire.get_by_role("alert")).to_contain_text("Give a date and time in the future")
    expect(claire.locator("#post-state")).to_have_text("Approved")

    # The portal takes the field in claire's zone (her browser's, Paris), to the second; a
    # few seconds ahead keeps the test short. Whole seconds, so that `at` is exactly the
    # time the field says.
    at = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
    local = at.astimezone(ZoneInfo("Europe/Paris"))
    claire.get_by_label("Publish at").fill(local.strftime("%Y-%m-%dT%H:%M:%S"))
    claire.get_by_role("button", name="Schedule").click()
    expect(claire.locator("#post-state")).to_have_text("Scheduled")

    alice = people.page("alice")
    card = alice.get_by_role("article", name=title)
    if datetime.now(UTC) < at - timedelta(seconds=1):
        alice.goto("/")
        expect(card).to_have_count(0)
    assert _reload_until(alice, "/", lambda: card.count() == 1)
    assert datetime.now(UTC) >= at
    claire.goto(tracking_url)
    expect(claire.locator("#post-state")).to_have_text("Published")


def test_reactions_are_counted_and_a_second_like_takes_it_back(people: People) -> None:
    bob = people.page("bob")
    bob.goto("/compose?space=cafe")
    title = f"Pot de départ {uuid.uuid4().hex[:6]}"
    bob.get_by_label("Title").fill(title)
    bob.get_by_label("Text (Markdown)").fill("Vendredi à 17 h.")
    bob.get_by_role("button", name="Publish").click()
    post_url = bob.url.split("?")[0]
    expect(bob.get_by_role("button", name="Like", exact=True)).to_be_visible()

    alice = people.page("alice")
    alice.goto(post_url)
    alice.get_by_role("button", name="Like", exact=True).click()
    expect(alice.get_by_role("button", name="Like (1)")).to_have_attribute("aria-pressed", "true")
    # Focus stays on the button just pressed, not back at the top of the page.
    expect(alice.get_by_role("button", name="Like (1)")).to_be_focused()
    # A second click takes the like back.
    alice.get_by_role("button", name="Like (1)").click()
    unliked = alice.get_by_role("button", name="Like", exact=True)
    expect(unliked).to_have_attribute("aria-pressed", "false")

    # Two people's likes add up; the author sees them.
    alice.get_by_role("button", name="Like", exact=True).click()
    expect(alice.get_by_role("button", name="Like (1)")).to_be_visible()
    gaelle = people.page("gaelle")
    gaelle.goto(post_url)
    expect(gaelle.get_by_role("button", name="Like (1)")).to_have_attribute("aria-pressed", "false")
    gaelle.get_by_role("button", name="Like (1)").click()
    expect(gaelle.get_by_role("button", name="Like (2)")).to_have_attribute("aria-pressed", "true")
    bob.reload()
    expect(bob.get_by_role("button", name="Like (2)")).to_be_visible()


def test_the_navigation_follows_a_grant_and_its_revocation_without_signing_out(
    people: People,
) -> None:
    gaelle = people.page("gaelle")
    moderation = gaelle.get_by_role("link", name="Moderation")
    expect(moderation).to_have_count(0)

    paul = people.page("paul")
    paul.goto("/grants")
    paul.get_by_label("Person (id)").fill("gaelle")
    paul.get_by_label("Role").select_option("moderator")
    paul.get_by_label("Domain", exact=True).fill("space:cafe")
    paul.locator("#justification").fill("Covers the cafe while Farid is away")
    paul.get_by_role("button", name="Grant", exact=True).click()
    expect(paul.get_by_role("status")).to_contain_text("Done")

    # Still signed in: the next pages offer moderation.
    assert _reload_until(gaelle, "/spaces", lambda: moderation.count() == 1)
    moderation.click()
    expect(gaelle.get_by_role("heading", name="Reports to handle")).to_be_visible()

    paul.goto("/grants?subject=gaelle")
    row = paul.get_by_role("row", name=re.compile(r"Gaëlle Roux \(gaelle\) Moderator space:cafe"))
    row.get_by_label("Justification").fill("Farid is back")
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(paul.get_by_role("status")).to_contain_text("Done")
    assert _reload_until(gaelle, "/spaces", lambda: moderation.count() == 0)
