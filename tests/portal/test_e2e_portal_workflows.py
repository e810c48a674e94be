"""Portal scenarios that need the endpoints of the policy (issue 3) and publishing (issue 4)
branches: run them once those branches are merged with the portal.

- the official workflow and acknowledgement tracking (publishing: workflow, acknowledgements);
- who-can at a past date and verifying the audit trail (policy: grants, audit);
- moderation and the official voice in a discussion (publishing: reports, hide, comments);
- axe-core on the staff pages.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import People, Portal, assert_accessible, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


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
    expect(claire.locator("#post-state")).to_have_text("submitted")
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
    expect(claire.locator("#post-state")).to_have_text("approved")
    claire.get_by_role("button", name="Publish now").click()
    expect(claire.locator("#post-state")).to_have_text("published")
    before = _ack_rate(claire)
    expect(claire.locator("ul.pending li", has_text="alice")).to_have_count(1)

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

    claire.reload()
    after = _ack_rate(claire)
    assert after > before, (before, after)
    expect(claire.locator("ul.pending li", has_text="alice")).to_have_count(0)
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
    alice.goto("/official")
    alice.get_by_label("Space").select_option("general")
    alice.get_by_label("Title").fill("Not mine to say")
    alice.get_by_label("Text (Markdown)").fill("Refused.")
    alice.get_by_role("button", name="Save and submit for approval").click()
    alert = alice.get_by_role("alert")
    expect(alert).to_contain_text("Not allowed")
    expect(alert).to_contain_text(re.compile("communicator", re.I))


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
    expect(paul.get_by_role("row", name=re.compile("david communicator org"))).to_have_count(1)
    screenshot(paul, "grants")
    assert_accessible(paul)

    olivier = people.page("olivier")
    olivier.get_by_role("link", name="Compliance").click()
    olivier.get_by_label("Action").select_option("post.official")
    olivier.get_by_label("Domain", exact=True).select_option("org")
    olivier.get_by_label(re.compile("^At")).fill(before_grant.strftime("%Y-%m-%dT%H:%M:%S"))
    olivier.get_by_role("button", name="Answer").click()
    table = olivier.locator("table.who-can[data-domain=org]")
    expect(table.get_by_role("cell", name="claire", exact=True)).to_have_count(1)
    expect(table.get_by_role("cell", name="david", exact=True)).to_have_count(0)
    screenshot(olivier, "who-can")
    assert_accessible(olivier)

    olivier.get_by_label(re.compile("^At")).fill("")
    olivier.get_by_role("button", name="Answer").click()
    table = olivier.locator("table.who-can[data-domain=org]")
    row = table.get_by_role("row", name=re.compile("^david "))
    expect(row).to_contain_text("paul")
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
    olivier.get_by_role("button", name="Verify the chain").click()
    expect(olivier.locator("#chain-state")).to_contain_text("The audit trail is intact.")
    screenshot(olivier, "audit-trail")
    assert_accessible(olivier)

    olivier.get_by_role("link", name="Roles and history of a person").click()
    olivier.get_by_label("Person").fill("david")
    olivier.get_by_role("button", name="Answer").click()
    expect(olivier.get_by_role("cell", name="communicator").first).to_be_visible()
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
    row = paul.get_by_role("row", name=re.compile("david communicator org"))
    row.get_by_label("Justification").fill("Interim over")
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(paul.get_by_role("status")).to_contain_text("Done")
    expect(paul.get_by_role("row", name=re.compile("david communicator org"))).to_have_count(0)
    olivier.goto("/compliance?action=post.official&domain=org")
    table = olivier.locator("table.who-can[data-domain=org]")
    expect(table.get_by_role("cell", name="david", exact=True)).to_have_count(0)


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
    screenshot(nadia, "moderation")
    assert_accessible(nadia)
    report.locator("input[name=reason]").first.fill("Classified ads go to the marketplace")
    report.get_by_role("button", name="Hide").click()
    expect(nadia.get_by_role("status")).to_contain_text("Done")

    response = alice.goto(post_url)
    assert response is not None and response.status == 404


def test_a_spokesperson_answers_officially_in_a_thread(people: People) -> None:
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
