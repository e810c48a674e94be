"""Social basics in headless Chromium, in French and English, at 1,280 and 390 px:
joining, leaving and following spaces; several reaction kinds; an official draft's
audience edited; roles by name on the compliance pages."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from .conftest import People, assert_accessible, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"  # type: ignore[index]


@pytest.mark.parametrize(
    ("locale", "width", "words"),
    [
        ("en-GB", 1280, ("Join", "Leave", "Follow", "Following", "You joined Café.")),
        ("fr-FR", 390, ("Rejoindre", "Quitter", "Suivre", "Suivi", "Vous avez rejoint Café.")),
    ],
    ids=["en-1280", "fr-390"],
)
def test_an_employee_joins_follows_and_leaves_a_community(
    people: People, locale: str, width: int, words: tuple[str, ...]
) -> None:
    join, leave, follow, following, joined = words
    hugo = people.page("hugo", locale=locale, width=width)
    hugo.goto("/spaces")
    cafe = hugo.get_by_role("listitem").filter(has=hugo.get_by_role("heading", name="Café"))
    # Announcements are not joined: said, not offered.
    general = hugo.get_by_role("listitem").filter(has=hugo.get_by_role("heading", name="Général"))
    expect(general.get_by_role("button", name=re.compile(f"^{join}"))).to_have_count(0)
    expect(general.locator(".standing-why")).to_be_visible()
    assert_accessible(hugo)
    _no_sideways_scroll(hugo)

    cafe.get_by_role("button", name=f"{join} Café").click()
    expect(cafe.get_by_role("status")).to_have_text(joined)
    # Focus back on the button just used, now saying what it would do next.
    expect(hugo.get_by_role("button", name=f"{leave} Café")).to_be_focused()
    cafe.get_by_role("button", name=f"{follow} Café").click()
    pressed = hugo.get_by_role("button", name=f"{following} Café")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(pressed).to_be_focused()
    screenshot(hugo, f"spaces-standing-{locale[:2]}-{width}")
    assert_accessible(hugo)

    # From the space's page: stop following, then leave.
    hugo.goto("/spaces/cafe")
    hugo.get_by_role("button", name=f"{following} Café").click()
    expect(hugo.get_by_role("button", name=f"{follow} Café")).to_be_focused()
    hugo.get_by_role("button", name=f"{leave} Café").click()
    expect(hugo.get_by_role("button", name=f"{join} Café")).to_be_focused()
    assert_accessible(hugo)
    _no_sideways_scroll(hugo)


def test_a_compliance_officer_is_told_why_she_cannot_join(people: People) -> None:
    olivier = people.page("olivier")
    olivier.goto("/spaces")
    cafe = olivier.get_by_role("listitem").filter(has=olivier.get_by_role("heading", name="Café"))
    expect(cafe.get_by_role("button", name="Join Café")).to_have_count(0)
    expect(cafe).to_contain_text("You may read this community but not take part in it")
    expect(cafe.get_by_role("button", name="Follow Café")).to_be_visible()


@pytest.mark.parametrize(
    ("locale", "width", "like", "celebrate"),
    [("en-GB", 1280, "Like", "Celebrate"), ("fr-FR", 390, "J'aime", "Bravo")],
    ids=["en-1280", "fr-390"],
)
def test_reactions_of_several_kinds_are_counted_and_taken_back(
    people: People, locale: str, width: int, like: str, celebrate: str
) -> None:
    bob = people.page("bob")
    bob.goto("/compose?space=cafe")
    title = f"Afterwork {uuid.uuid4().hex[:6]}"
    bob.get_by_label("Title").fill(title)
    bob.get_by_label("Text (Markdown)").fill("Jeudi à 18 h.")
    bob.get_by_role("button", name="Publish").click()
    post_url = bob.url.split("?")[0]

    alice = people.page("alice", locale=locale, width=width)
    alice.goto(post_url)
    alice.get_by_role("button", name=celebrate, exact=True).click()
    pressed = alice.get_by_role("button", name=f"{celebrate} (1)")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(pressed).to_be_focused()
    alice.get_by_role("button", name=like, exact=True).click()
    expect(alice.get_by_role("button", name=f"{like} (1)")).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(alice, f"reactions-{locale[:2]}-{width}")
    assert_accessible(alice)
    _no_sideways_scroll(alice)
    # A second click takes that kind back, and only that one.
    alice.get_by_role("button", name=f"{celebrate} (1)").click()
    expect(alice.get_by_role("button", name=celebrate, exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(alice.get_by_role("button", name=f"{like} (1)")).to_be_visible()
    bob.reload()
    expect(bob.get_by_role("button", name="Like (1)")).to_be_visible()
    expect(bob.get_by_role("button", name="Celebrate", exact=True)).to_be_visible()


@pytest.mark.parametrize(
    ("locale", "width", "save", "unknown"),
    [
        ("en-GB", 1280, "Save the draft", "These groups do not exist: engineers"),
        ("fr-FR", 390, "Enregistrer le brouillon", "Ces groupes n'existent pas : engineers"),
    ],
    ids=["en-1280", "fr-390"],
)
def test_a_communicator_changes_the_audience_of_a_saved_draft(
    people: People, locale: str, width: int, save: str, unknown: str
) -> None:
    title = f"Réunion commerciale {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    claire.goto("/official")
    claire.get_by_label("Space").select_option("general")
    claire.get_by_label("Title").fill(title)
    claire.get_by_label("Text (Markdown)").fill("Ordre du jour à venir.")
    claire.get_by_label(re.compile(r"^Sales \(")).check()
    claire.get_by_role("button", name="Save as draft").click()
    draft_url = claire.url.split("?")[0]

    claire = people.page("claire", locale=locale, width=width)
    claire.goto(draft_url)
    claire.get_by_role("link", name=re.compile("^(Edit|Modifier)$")).click()
    sales = claire.get_by_label(re.compile(r"^Sales \("))
    expect(sales).to_be_checked()
    sales.uncheck()
    claire.get_by_label(re.compile(r"^(Human resources|Hr|HR)")).check()
    # A mistyped group is refused beside its field, and nothing is saved.
    claire.locator("#audience_groups").fill("engineers")
    claire.get_by_role("button", name=save).click()
    expect(claire.locator("#audience_groups-error")).to_contain_text(unknown)
    assert_accessible(claire)
    _no_sideways_scroll(claire)
    claire.locator("#audience_groups").fill("")
    claire.get_by_role("button", name=save).click()
    audience = claire.locator("dd").filter(has_text=re.compile(r"\(2 (people|personnes)\)"))
    expect(audience).to_have_count(1)
    expect(claire.locator("dd").filter(has_text="Sales")).to_have_count(0)


@pytest.mark.parametrize(
    ("locale", "name"),
    [("en-GB", "Communicator (communicator)"), ("fr-FR", "Chargé de communication (communicator)")],
    ids=["en", "fr"],
)
def test_compliance_pages_name_roles_with_the_id_beside(
    people: People, locale: str, name: str
) -> None:
    olivier = people.page("olivier", locale=locale)
    olivier.goto("/compliance/person?subject=claire")
    expect(olivier.get_by_role("cell", name=name, exact=True).first).to_be_visible()
    assert_accessible(olivier)
