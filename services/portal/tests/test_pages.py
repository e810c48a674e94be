"""Sign-in, CSRF, languages and errors of the portal, without the APIs behind it."""

from __future__ import annotations

import base64
import time

import pytest
from fastapi.testclient import TestClient
from starlette.responses import Response

from townhall_clients import UnexpectedResponse
from townhall_portal.forms import refusal
from townhall_portal.i18n import negotiate
from townhall_portal.session import SESSION_COOKIE, Session, SessionCodec
from townhall_portal.settings import DEV_SESSION_SECRET, PortalSettings
from townhall_portal.web import safe_next

from .conftest import csrf_of


def _codec(secret: str = DEV_SESSION_SECRET) -> SessionCodec:
    return SessionCodec(secret, max_age_seconds=3600, secure=False)


def _signed_in(client: TestClient, subject: str = "alice", exp_in: float = 3600) -> None:
    session = Session(
        subject=subject, token="t", expires_at=time.time() + exp_in, name=subject, session_id="s1"
    )
    client.cookies.set(SESSION_COOKIE, _codec().seal(session))


def test_pages_ask_to_sign_in_and_remember_the_page_asked(client: TestClient) -> None:
    response = client.get("/search?q=badge")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fsearch%3Fq%3Dbadge"


def test_the_development_sign_in_is_clearly_marked(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert "Development sign-in" in page.text
    assert 'name="user"' in page.text
    assert page.headers["cache-control"] == "no-store"
    csrf_cookie = page.headers["set-cookie"]
    assert "HttpOnly" in csrf_cookie and "SameSite=lax" in csrf_cookie


def test_an_expired_session_goes_back_to_sign_in(client: TestClient) -> None:
    _signed_in(client, exp_in=-5)
    response = client.get("/spaces")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fspaces&expired=1"
    assert SESSION_COOKIE in response.headers["set-cookie"]  # cleared
    page = client.get(response.headers["location"])
    assert "Your session has expired" in page.text


def test_a_forged_session_cookie_is_ignored(client: TestClient) -> None:
    forged = _codec("another-secret-of-at-least-32-chars").seal(
        Session(subject="paul", token="t", expires_at=time.time() + 3600)
    )
    client.cookies.set(SESSION_COOKIE, forged)
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=%2F")


def _sign_in_as_demo_user(client: TestClient, user: str = "alice") -> str:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"csrf_token": token, "user": user, "next": "/"})
    assert response.status_code == 303
    return str(response.cookies[SESSION_COOKIE])


def test_the_session_cookie_is_encrypted_not_just_signed(client: TestClient) -> None:
    raw = _sign_in_as_demo_user(client)
    session = _codec().unseal(raw)
    assert session is not None and session.subject == "alice"
    api_token = session.token
    assert api_token.count(".") == 2  # the JWT the APIs are called with
    # Neither the token nor any of its parts is in the cookie, in clear or in base64.
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    for part in (api_token, *api_token.split(".")):
        assert part not in raw
        assert part.encode() not in decoded
    assert b"alice" not in decoded


def test_a_tampered_session_cookie_goes_back_to_sign_in(client: TestClient) -> None:
    raw = _sign_in_as_demo_user(client)
    assert client.get("/search").status_code != 303  # the session works as issued
    middle = len(raw) // 2
    tampered = raw[:middle] + ("A" if raw[middle] != "A" else "B") + raw[middle + 1 :]
    client.cookies.set(SESSION_COOKIE, tampered)
    response = client.get("/search?q=badge")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=%2Fsearch%3Fq%3Dbadge")


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_keeps_its_attributes(secure: bool) -> None:
    response = Response()
    codec = SessionCodec(DEV_SESSION_SECRET, max_age_seconds=600, secure=secure)
    codec.open(response, subject="alice", token="t", name="Alice")
    header = response.headers["set-cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Max-Age=600" in header
    assert ("Secure" in header) is secure


@pytest.mark.parametrize("token", [None, "", "0" * 64, "not-hex"])
def test_a_form_without_the_right_csrf_token_is_refused(
    client: TestClient, token: str | None
) -> None:
    client.get("/sign-in")  # gets the CSRF cookie
    data = {"user": "alice", "next": "/"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/sign-in", data=data)
    assert response.status_code == 403
    assert "did not come from Townhall" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_the_csrf_token_of_another_browser_is_refused(settings: PortalSettings) -> None:
    from townhall_portal.app import create_app

    app = create_app(settings)
    first, second = TestClient(app), TestClient(app, follow_redirects=False)
    token = csrf_of(first.get("/sign-in").text)
    second.get("/sign-in")
    response = second.post("/sign-in", data={"csrf_token": token, "user": "alice"})
    assert response.status_code == 403


def test_an_unknown_demo_user_redisplays_the_form_with_the_error(client: TestClient) -> None:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"csrf_token": token, "user": "mallory"})
    assert response.status_code == 422
    assert 'id="user-error"' in response.text
    assert 'aria-describedby="user-error"' in response.text


def test_a_service_down_shows_a_clear_message_never_a_stack_trace(client: TestClient) -> None:
    # Signing in needs no API; every page then needs one, and they are down.
    _sign_in_as_demo_user(client)
    for path in ("/", "/spaces", "/search?q=x", "/posts/abc"):
        page = client.get(path)
        assert page.status_code == 503, path
        assert "service is not answering right now" in page.text
        assert "Traceback" not in page.text and "httpx" not in page.text


def test_pages_speak_french_when_the_browser_prefers_it(client: TestClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert '<html lang="fr">' in page.text
    assert "Connexion de développement" in page.text


def test_the_language_can_be_switched_and_is_remembered(client: TestClient) -> None:
    token = csrf_of(client.get("/sign-in").text)
    response = client.post(
        "/language", data={"csrf_token": token, "lang": "fr", "next": "/sign-in"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    page = client.get("/sign-in", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.text


def test_an_unknown_page_is_a_page_not_json(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("header", "chosen", "expected"),
    [
        ("fr-FR,fr;q=0.9", None, "fr"),
        ("de-DE, en;q=0.5, fr;q=0.7", None, "fr"),
        ("de", None, "en"),
        (None, None, "en"),
        ("fr", "en", "en"),
        ("en;q=garbage, fr", None, "fr"),
    ],
)
def test_language_negotiation(header: str | None, chosen: str | None, expected: str) -> None:
    assert negotiate(header, chosen) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/spaces", "/spaces"),
        ("/search?q=a", "/search?q=a"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        (None, "/"),
    ],
)
def test_sign_in_only_returns_to_local_pages(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_production_refuses_development_secrets_and_requires_oidc(tmp_path: object) -> None:
    base = {
        "environment": "production",
        "jwks_url": "https://idp.example/jwks",
        "signing_key_file": "/etc/townhall/key.pem",
    }
    with pytest.raises(ValueError, match="session_secret"):
        PortalSettings(**base)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="oidc"):
        PortalSettings(**base, session_secret="s" * 40)  # type: ignore[arg-type]
    settings = PortalSettings(
        **base,  # type: ignore[arg-type]
        session_secret="s" * 40,
        oidc_issuer="https://idp.example",
        oidc_client_id="townhall-portal",
        oidc_client_secret="client-secret",
        public_url="https://intranet.example",
    )
    assert settings.secure_cookies and not settings.demo_login
    # The portal calls the APIs only as the user: no service token, no database needed.
    assert settings.service_token is None and not settings.database_url


def test_a_space_one_may_not_see_is_told_as_missing_not_hidden() -> None:
    # Publishing answers a space the user may not see as a missing one: the page says so.
    problem = {"status": 404, "title": "Space not found", "detail": "No space 'engineering'."}
    assert refusal(UnexpectedResponse("publishing", 404, problem)) == "No space 'engineering'."
    assert refusal(UnexpectedResponse("publishing", 500, problem)) is None
