"""Objectives in the portal, in headless Chromium: claire sets one, employees acknowledge,
the value moves; the page is accessible and never shows a group under the floor."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from .conftest import People, assert_accessible, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def test_a_communicator_sets_an_objective_and_follows_it(people: People) -> None:
    name = f"90 % acknowledge safety notices within 5 days {uuid.uuid4().hex[:6]}"
    claire = people.page("claire")
    claire.get_by_role("link", name="Objectives").click()
    expect(claire.get_by_role("heading", name="Objectives", exact=True)).to_be_visible()
    assert_accessible(claire)
    claire.locator("#name").fill(name)
    claire.locator("#metric").select_option("acknowledgement_rate")
    claire.locator("#target").fill("120")
    claire.get_by_role("button", name="Create the objective").click()
    # A share above 100 % is refused next to the field, with what was typed kept.
    expect(claire.locator("#target-error")).to_be_visible()
    expect(claire.locator("#name")).to_have_value(name)

    claire.locator("#target").fill("90")
    claire.get_by_role("button", name="Create the objective").click()
    expect(claire.get_by_role("heading", name=name)).to_be_visible()
    expect(claire.locator("svg.chart")).to_have_count(1)
    expect(claire.get_by_role("table").first).to_be_visible()
    screenshot(claire, "objective")
    assert_accessible(claire)

    # Every demo department has fewer than five people: none is shown.
    claire.locator("#by").select_option("department")
    claire.get_by_role("button", name="Show").click()
    expect(claire.get_by_text("Not shown: fewer than five people").first).to_be_visible()

    # An employee who owns no space has no objectives page, and the API refuses them.
    hugo = people.page("hugo")
    expect(hugo.get_by_role("link", name="Objectives")).to_have_count(0)
    hugo.goto(claire.url)
    expect(hugo.get_by_role("heading", name=name)).to_have_count(0)
