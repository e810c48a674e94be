"""Sign-in, CSRF, languages and errors of the portal, without the APIs behind it."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from townhall_portal.i18n import MESSAGES, negotiate
from townhall_portal.session import SESSION_COOKIE, SESSION_SALT
from townhall_portal.settings import DEV_SESSION_SECRET, PortalSettings
from townhall_portal.web import safe_next

from .conftest import csrf_of


def _signed_in(client: TestClient, subject: str = "alice", exp_in: float = 3600) -> None:
    cookie = URLSafeTimedSerializer(DEV_SESSION_SECRET, salt=SESSION_SALT).dumps(
        {"sub": subject, "token": "t", "exp": time.time() + exp_in, "name": subject, "caps": []}
    )
    client.cookies.set(SESSION_COOKIE, cookie)


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
    forged = URLSafeTimedSerializer("another-secret", salt=SESSION_SALT).dumps(
        {"sub": "paul", "token": "t", "exp": time.time() + 3600}
    )
    client.cookies.set(SESSION_COOKIE, forged)
    assert client.get("/").status_code == 303


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
    token = csrf_of(client.get("/sign-in").text)
    # Signing in asks publishing and policy which pages to offer; they are down.
    response = client.post("/sign-in", data={"csrf_token": token, "user": "alice"})
    assert response.status_code == 503
    assert "The publishing service is not answering right now" in response.text
    _signed_in(client)
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


def test_every_message_exists_in_both_languages() -> None:
    for key, (english, french) in MESSAGES.items():
        assert english.strip() and french.strip(), key
        assert set(_fields(english)) == set(_fields(french)), key


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


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
