"""alice writes, edits and deletes a post with an image and a PDF, in Chromium, at
1,280 px and at 390 px: the image shows in the post, the PDF is listed and downloads,
both come through the portal under the post's readers rule, every page is axe-clean."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from .conftest import People, Portal, assert_accessible, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def _file(name: str, data: bytes, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


@pytest.mark.parametrize("width", [1280, 390])
def test_alice_writes_edits_and_deletes_a_post_with_an_image_and_a_pdf(
    people: People, portal: Portal, sample_files: Any, width: int
) -> None:
    marker = uuid.uuid4().hex[:8]
    title = f"Whiteboard notes {marker}"
    pdf = sample_files.pdf(f"Minutes of the meeting {marker}")
    alice = people.page("alice", width=width)

    alice.goto("/compose?space=engineering")
    alice.get_by_label("Title").fill(title)
    alice.get_by_label("Text (Markdown)").fill("The photo and the minutes are attached.")
    alice.get_by_label("Image", exact=True).set_input_files(
        _file("IMG_0042.JPG", sample_files.jpeg(1600, 1200), "image/jpeg")
    )
    alice.get_by_label("What the image shows").fill("The whiteboard after the meeting")
    alice.get_by_label(re.compile("^Attached file")).set_input_files(
        _file("minutes.pdf", pdf, "application/pdf")
    )
    assert_accessible(alice)
    _no_sideways_scroll(alice)
    alice.get_by_role("button", name="Publish").click()

    expect(alice.get_by_role("heading", level=1, name=title)).to_be_visible()
    image = alice.get_by_role("img", name="The whiteboard after the meeting")
    expect(image).to_be_visible()
    # Loaded through the portal: wait for the browser to have decoded it.
    alice.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 1600
    link = alice.get_by_role("link", name="minutes.pdf")
    expect(link).to_be_visible()
    expect(alice.locator(".attachments")).to_contain_text("PDF")
    screenshot(alice, f"post-media-{width}")
    assert_accessible(alice)
    _no_sideways_scroll(alice)
    post_path = re.sub(r"\?.*$", "", alice.url.replace(portal.url, ""))
    pdf_path = link.get_attribute("href")
    assert pdf_path and pdf_path.startswith(f"{post_path}/media/")

    # bob reads the post: the PDF comes through the portal, never from a storage URL.
    bob = people.page("bob", width=width)
    served = bob.request.get(pdf_path)
    assert served.status == 200
    assert served.body() == pdf
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["x-content-type-options"] == "nosniff"
    # zoe may not read engineering: the file is as missing to her as the post.
    zoe = people.page("zoe", width=width)
    assert zoe.request.get(pdf_path).status == 404

    # alice edits: a file that lies about its type is refused next to the field...
    alice.goto(f"{post_path}/edit")
    attachments = alice.get_by_role("region", name="Attachments")
    expect(attachments.get_by_role("listitem")).to_have_count(2)
    alice.get_by_label(re.compile("^File")).set_input_files(
        _file("photo.png", b"<html><script>alert(1)</script></html>", "image/png")
    )
    alice.get_by_role("button", name="Attach").click()
    expect(alice.locator("#file-error")).to_contain_text("not accepted")
    expect(alice.get_by_label(re.compile("^File"))).to_have_attribute("aria-invalid", "true")
    assert_accessible(alice)
    _no_sideways_scroll(alice)
    # ...she removes the image and attaches a PNG instead.
    alice.get_by_role("button", name="Remove IMG_0042.JPG").click()
    expect(alice.get_by_role("status")).to_contain_text("The file is removed")
    alice.get_by_label(re.compile("^File")).set_input_files(
        _file("diagram.png", sample_files.png(), "image/png")
    )
    alice.get_by_label("What the image shows").fill("The architecture diagram")
    alice.get_by_role("button", name="Attach").click()
    expect(alice.get_by_role("status")).to_contain_text("The file is attached")
    screenshot(alice, f"edit-media-{width}")
    assert_accessible(alice)
    alice.goto(post_path)
    expect(alice.get_by_role("img", name="The architecture diagram")).to_be_visible()
    expect(alice.get_by_role("img", name="The whiteboard after the meeting")).to_have_count(0)

    # alice deletes the post: its files are gone for its readers too.
    alice.get_by_role("button", name="Delete").click()
    alice.wait_for_load_state()
    assert bob.request.get(pdf_path).status == 404


def test_the_portal_allows_images_only_from_itself(portal: Portal) -> None:
    policy = httpx.get(f"{portal.url}/sign-in").headers["content-security-policy"]

    assert "img-src 'self';" in policy
    assert "data:" not in policy


def test_the_file_fields_speak_french_to_a_french_browser(people: People) -> None:
    alice = people.page("alice", locale="fr-FR", width=390)

    alice.goto("/compose?space=engineering")

    expect(alice.get_by_label("Image", exact=True)).to_be_visible()
    expect(alice.get_by_label(re.compile("^Fichier joint"))).to_be_visible()
    expect(alice.get_by_label(re.compile("^Ce que montre l'image"))).to_be_visible()
    expect(alice.get_by_role("group", name="Pièces jointes")).to_be_visible()
    assert_accessible(alice)
    _no_sideways_scroll(alice)
