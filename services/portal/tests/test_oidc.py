"""OpenID Connect sign-in against an identity provider served over real HTTP in a thread."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from townhall_platform.testing import free_port
from townhall_portal.app import create_app
from townhall_portal.session import SESSION_COOKIE
from townhall_portal.settings import PortalSettings

from .conftest import csrf_of

CLIENT_ID = "townhall-portal"
CLIENT_SECRET = "portal-client-secret"


@dataclass
class Provider:
    """A minimal identity provider; it also stands in for the APIs the sign-in asks."""

    url: str
    key: rsa.RSAPrivateKey
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    redeemed: list[dict[str, Any]] = field(default_factory=list)
    nonce_override: str | None = None
    issued_id_tokens: list[str] = field(default_factory=list)
    # RP-initiated logout offered in the discovery document.
    end_session: bool = True
    # Standing in for policy: its revision and the actions it allows the user.
    policy_revision: int = 1
    allowed: set[str] = field(default_factory=set)

    def id_token(self, subject: str, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": subject,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override or nonce,
            "name": "Claire Martin",
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "idp"})
        self.issued_id_tokens.append(token)
        return token


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/.well-known/openid-configuration":
                metadata = {
                    "issuer": provider.url,
                    "authorization_endpoint": f"{provider.url}/authorize",
                    "token_endpoint": f"{provider.url}/token",
                    "jwks_uri": f"{provider.url}/jwks",
                }
                if provider.end_session:
                    metadata["end_session_endpoint"] = f"{provider.url}/logout"
                self._json(metadata)
            elif path == "/v1/revision":
                self._json({"policy_revision": provider.policy_revision, "details": {}})
            elif path == "/jwks":
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                self._json({"keys": [{**jwk, "kid": "idp", "use": "sig", "alg": "RS256"}]})
            elif path == "/v1/spaces":
                self._json({"items": []})
            else:
                self._json({"status": 404}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length).decode()
            path = urlparse(self.path).path
            if path == "/v1/decisions/batch":
                asked = json.loads(raw)["decisions"]
                decisions = [{"allowed": d["action"] in provider.allowed, **d} for d in asked]
                self._json({"policy_revision": provider.policy_revision, "decisions": decisions})
                return
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            basic = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
            grant = provider.codes.pop(form.get("code", ""), None)
            provider.redeemed.append(form)
            challenge = (
                base64.urlsafe_b64encode(
                    hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                )
                .rstrip(b"=")
                .decode()
            )
            if (
                grant is None
                or basic != f"{CLIENT_ID}:{CLIENT_SECRET}"
                or challenge != grant["challenge"]
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            self._json(
                {
                    "access_token": "access-token-for-the-apis",
                    "id_token": provider.id_token(grant["subject"], grant["nonce"]),
                    "token_type": "Bearer",
                }
            )

    return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    port = free_port()
    idp = Provider(
        url=f"http://127.0.0.1:{port}",
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(idp))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield idp
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal(provider: Provider, signing_key_file: Any) -> TestClient:
    settings = PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        public_url="http://testserver",
        navigation_revision_check_seconds=0,
        policy_url=provider.url,
        publishing_url=provider.url,
        search_url=provider.url,
    )
    return TestClient(create_app(settings), follow_redirects=False)


def _authorize(portal: TestClient, provider: Provider, subject: str) -> dict[str, str]:
    """Start the sign-in and play the provider's part: the user authenticates."""
    start = portal.get("/sign-in/oidc?next=/search%3Fq%3Dbadge")
    assert start.status_code == 303
    location = urlparse(start.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.url}/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/auth/callback"
    assert query["code_challenge_method"] == "S256"
    provider.codes["the-code"] = {
        "subject": subject,
        "nonce": query["nonce"],
        "challenge": query["code_challenge"],
    }
    return query


def test_the_sign_in_page_offers_the_company_account(portal: TestClient) -> None:
    page = portal.get("/sign-in?next=/spaces")
    assert "Sign in with your company account" in page.text
    assert 'href="/sign-in/oidc?next=/spaces"' in page.text or "%2Fspaces" in page.text


def test_the_authorization_code_flow_opens_a_session(
    portal: TestClient, provider: Provider
) -> None:
    query = _authorize(portal, provider, "claire")
    back = portal.get(f"/auth/callback?code=the-code&state={query['state']}")
    assert back.status_code == 303
    assert back.headers["location"] == "/search?q=badge"
    cookies = back.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=lax" in session
    assert provider.redeemed[-1]["redirect_uri"] == "http://testserver/auth/callback"


def test_a_wrong_state_is_refused_without_redeeming_the_code(
    portal: TestClient, provider: Provider
) -> None:
    _authorize(portal, provider, "claire")
    back = portal.get("/auth/callback?code=the-code&state=forged")
    assert back.status_code == 400
    assert SESSION_COOKIE not in back.headers.get("set-cookie", "")
    assert provider.redeemed == []


def test_an_id_token_with_another_nonce_is_refused(portal: TestClient, provider: Provider) -> None:
    query = _authorize(portal, provider, "claire")
    provider.nonce_override = "replayed"
    back = portal.get(f"/auth/callback?code=the-code&state={query['state']}")
    assert back.status_code == 400
    assert SESSION_COOKIE not in back.headers.get("set-cookie", "")


def test_a_code_the_provider_refuses_opens_no_session(
    portal: TestClient, provider: Provider
) -> None:
    query = _authorize(portal, provider, "claire")
    back = portal.get(f"/auth/callback?code=unknown&state={query['state']}")
    assert back.status_code == 400
    assert SESSION_COOKIE not in back.headers.get("set-cookie", "")


def _signed_in(portal: TestClient, provider: Provider, subject: str = "claire") -> None:
    query = _authorize(portal, provider, subject)
    back = portal.get(f"/auth/callback?code=the-code&state={query['state']}")
    assert back.status_code == 303


def _sign_out(portal: TestClient) -> Any:
    page = portal.get("/spaces")
    assert page.status_code == 200, page.text
    return portal.post("/sign-out", data={"csrf_token": csrf_of(page.text)})


def test_signing_out_ends_the_provider_session_too(portal: TestClient, provider: Provider) -> None:
    _signed_in(portal, provider)
    response = _sign_out(portal)
    assert response.status_code == 303
    location = urlparse(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.url}/logout"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["id_token_hint"] == provider.issued_id_tokens[-1]
    assert query["post_logout_redirect_uri"] == "http://testserver/sign-in"
    assert query["client_id"] == CLIENT_ID
    # The portal's own session is over as well.
    assert 'townhall_session=""' in response.headers["set-cookie"]
    assert portal.get("/spaces").status_code == 303


def test_without_an_end_session_endpoint_signing_out_stays_local(
    portal: TestClient, provider: Provider
) -> None:
    provider.end_session = False
    _signed_in(portal, provider)
    response = _sign_out(portal)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert portal.get("/spaces").status_code == 303


def test_the_navigation_follows_grants_and_revocations_without_signing_out(
    portal: TestClient, provider: Provider
) -> None:
    _signed_in(portal, provider)
    assert 'href="/moderation"' not in portal.get("/spaces").text

    provider.allowed = {"moderate"}
    provider.policy_revision = 2  # a grant bumps policy's revision
    assert 'href="/moderation"' in portal.get("/spaces").text

    provider.allowed = set()
    provider.policy_revision = 3  # and so does its revocation
    assert 'href="/moderation"' not in portal.get("/spaces").text


def test_the_navigation_is_not_asked_again_while_the_revision_holds(
    portal: TestClient, provider: Provider
) -> None:
    _signed_in(portal, provider)
    provider.allowed = {"moderate"}
    provider.policy_revision = 2
    assert 'href="/moderation"' in portal.get("/spaces").text
    # Policy changed its answer without a new revision (it never does): the portal keeps
    # what it found at this revision instead of asking on every page.
    provider.allowed = set()
    assert 'href="/moderation"' in portal.get("/spaces").text
