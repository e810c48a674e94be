"""Light pages: compressed answers, static files kept by browsers until they change, a
favicon, and a CSRF token that compression cannot leak (masked afresh on every page)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from townhall_portal.static_files import digest

from .conftest import csrf_of


def test_pages_are_compressed_for_browsers_that_ask(client: TestClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert "<html" in page.text  # httpx undid the compression
    plain = client.get("/sign-in", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_static_files_named_by_their_digest_are_kept_a_year(client: TestClient) -> None:
    page = client.get("/sign-in").text
    css = re.search(r'href="(/static/portal\.css\?v=[0-9a-f]{12})"', page)
    assert css, "the page names the stylesheet with its digest"
    for script in ("portal.js", "reach.js"):
        assert f"/static/{script}?v={digest(script)}" in page
    kept = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert kept.status_code == 200
    assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert kept.headers["content-encoding"] == "gzip"
    # An old or missing digest is asked again each time (its ETag makes that cheap).
    for url in ("/static/portal.css", "/static/portal.css?v=000000000000"):
        assert client.get(url).headers["cache-control"] == "no-cache"
    etag = kept.headers["etag"]
    again = client.get("/static/portal.css", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/static/nothing.css").status_code == 404


def test_a_favicon_is_served_where_browsers_look(client: TestClient) -> None:
    page = client.get("/sign-in").text
    assert f'rel="icon" href="/static/favicon.svg?v={digest("favicon.svg")}"' in page
    asked = client.get("/favicon.ico", follow_redirects=False)
    assert asked.status_code == 301
    icon = client.get(asked.headers["location"])
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")


def test_the_csrf_token_differs_on_every_page_and_each_is_accepted(client: TestClient) -> None:
    first = csrf_of(client.get("/sign-in").text)
    second = csrf_of(client.get("/sign-in").text)
    assert first != second, "masked afresh, so compressed pages do not repeat a secret"
    for token in (first, second):
        answer = client.post(
            "/sign-in", data={"csrf_token": token, "user": "nobody-here", "next": "/"}
        )
        assert answer.status_code != 403, "a masked token of this browser is accepted"
    for bad in (first[:-2] + "zz", first[:64], first + "00"):
        refused = client.post("/sign-in", data={"csrf_token": bad, "user": "alice"})
        assert refused.status_code == 403
