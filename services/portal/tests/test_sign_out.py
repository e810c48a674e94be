"""Signing out ends the session server-side, and signing in gives a new CSRF nonce.

The attack: a copy of the session cookie (taken from a shared computer, a proxy log) kept
working for its whole eight hours after its owner signed out; a CSRF token read before
sign-in stayed valid in the session.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from townhall_portal.app import create_app
from townhall_portal.session import CSRF_COOKIE, SESSION_COOKIE
from townhall_portal.settings import PortalSettings

from .conftest import csrf_of


def _sign_in(client: TestClient, user: str = "alice") -> str:
    """Sign in with the development picker; the session cookie's value."""
    token = csrf_of(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"csrf_token": token, "user": user, "next": "/"})
    assert response.status_code == 303, response.text
    return str(response.cookies[SESSION_COOKIE])


def _sends_to_sign_in(client: TestClient, cookie: str) -> bool:
    """Whether a browser holding `cookie` as its session is asked to sign in."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get("/spaces")
    # Signed in, the page is asked of the APIs (down here: an error page, not sign-in).
    return response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def _sign_out(client: TestClient) -> None:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/sign-in"


def test_a_copied_session_cookie_is_refused_after_sign_out(settings: PortalSettings) -> None:
    app = create_app(settings)
    owner = TestClient(app, follow_redirects=False)
    thief = TestClient(app, follow_redirects=False)
    copied = _sign_in(owner)
    assert not _sends_to_sign_in(thief, copied)

    _sign_out(owner)

    assert _sends_to_sign_in(thief, copied)
    # Signing in again opens a new session, which works.
    assert not _sends_to_sign_in(owner, _sign_in(owner))


def test_a_sign_out_holds_across_instances_sharing_the_file(
    settings: PortalSettings, tmp_path: Path
) -> None:
    shared = settings.model_copy(update={"session_revocations_file": tmp_path / "sessions.db"})
    first = TestClient(create_app(shared), follow_redirects=False)
    second = TestClient(create_app(shared), follow_redirects=False)
    copied = _sign_in(first)
    assert not _sends_to_sign_in(second, copied)

    _sign_out(first)

    assert _sends_to_sign_in(second, copied)
    # And after a restart of the portal.
    restarted = TestClient(create_app(shared), follow_redirects=False)
    assert _sends_to_sign_in(restarted, copied)


def test_the_csrf_token_read_before_sign_in_is_refused_after_it(client: TestClient) -> None:
    before = csrf_of(client.get("/sign-in").text)
    nonce_before = client.cookies.get(CSRF_COOKIE)

    response = client.post("/sign-in", data={"csrf_token": before, "user": "alice", "next": "/"})

    assert response.status_code == 303
    assert CSRF_COOKIE in response.cookies
    assert client.cookies.get(CSRF_COOKIE) != nonce_before
    stale = client.post("/language", data={"csrf_token": before, "lang": "fr", "next": "/"})
    assert stale.status_code == 403
    fresh = csrf_of(client.get("/sign-in").text)
    assert fresh != before
    accepted = client.post("/language", data={"csrf_token": fresh, "lang": "fr", "next": "/"})
    assert accepted.status_code == 303


def test_a_session_list_that_cannot_be_read_fails_closed_with_503(
    settings: PortalSettings, tmp_path: Path
) -> None:
    path = tmp_path / "sessions.db"
    client = TestClient(
        create_app(settings.model_copy(update={"session_revocations_file": path})),
        follow_redirects=False,
    )
    cookie = _sign_in(client)
    path.write_bytes(b"this is not a database, it was damaged" * 100)

    client.cookies.set(SESSION_COOKIE, cookie)
    page = client.get("/spaces")

    assert page.status_code == 503
    assert "Traceback" not in page.text
