"""Client-credentials tokens: fetched, reused, refreshed before expiry, and a 503 (with
readiness false) once the issuer is unreachable and the token in hand has expired.

The issuer is a real HTTP server on loopback; the clock is the test's, so nothing waits.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from townhall_platform.errors import DependencyUnavailable
from townhall_platform.health import NotReady
from townhall_platform.service_tokens import ClientCredentialsTokens
from townhall_platform.testing import free_port


class Issuer:
    """A minimal RFC 6749 token endpoint that counts what it issued."""

    def __init__(self, lifetime: int = 100) -> None:
        self.issued: list[str] = []
        self.lifetime = lifetime
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = parse_qs(self.rfile.read(length).decode())
                auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
                if auth != "search:right" or form["grant_type"] != ["client_credentials"]:
                    self._answer(401, {"error": "invalid_client"})
                    return
                issuer.issued.append(f"token-{len(issuer.issued) + 1}")
                body = {"access_token": issuer.issued[-1], "token_type": "Bearer"}
                self._answer(200, {**body, "expires_in": issuer.lifetime})

            def _answer(self, status: int, body: dict[str, object]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/oauth/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    running = Issuer()
    yield running
    running.stop()


def tokens_for(url: str, clock: Clock, secret: str = "right") -> ClientCredentialsTokens:
    return ClientCredentialsTokens(
        url, client_id="search", client_secret=secret, refresh_margin_seconds=30, clock=clock
    )


def test_a_token_is_fetched_once_and_reused_until_due(issuer: Issuer) -> None:
    clock = Clock()
    tokens = tokens_for(issuer.url, clock)
    assert tokens.token() == "token-1"
    clock.now += 69  # 100 s life, refreshed with 30 s left
    assert tokens.token() == "token-1"
    assert issuer.issued == ["token-1"]


def test_a_token_is_refreshed_before_it_expires(issuer: Issuer) -> None:
    clock = Clock()
    tokens = tokens_for(issuer.url, clock)
    tokens.token()
    clock.now += 70
    assert tokens.token() == "token-2"
    assert tokens.check() is True


def test_a_short_lived_token_is_refreshed_at_half_its_life(issuer: Issuer) -> None:
    issuer.lifetime = 20  # shorter than the 30 s margin: renewed after 10 s
    clock = Clock()
    tokens = tokens_for(issuer.url, clock)
    tokens.token()
    clock.now += 9
    assert tokens.token() == "token-1"
    clock.now += 1
    assert tokens.token() == "token-2"


def test_an_unreachable_issuer_leaves_the_valid_token_in_use(issuer: Issuer) -> None:
    clock = Clock()
    tokens = tokens_for(issuer.url, clock)
    tokens.token()
    issuer.stop()
    clock.now += 80  # due for refresh, not expired
    assert tokens.token() == "token-1"
    assert tokens.check() is True


def test_past_expiry_without_an_issuer_calls_fail_503_and_readiness_says_why(
    issuer: Issuer,
) -> None:
    clock = Clock()
    tokens = tokens_for(issuer.url, clock)
    tokens.token()
    issuer.stop()
    clock.now += 100
    with pytest.raises(DependencyUnavailable) as refused:
        tokens.token()
    assert refused.value.status == 503
    with pytest.raises(NotReady, match="no service token"):
        tokens.check()


def test_never_reached_issuer_is_503_from_the_first_call() -> None:
    tokens = tokens_for(f"http://127.0.0.1:{free_port()}/oauth/token", Clock())
    with pytest.raises(DependencyUnavailable, match="unreachable"):
        tokens.token()


def test_a_refused_client_is_503_not_500(issuer: Issuer) -> None:
    tokens = tokens_for(issuer.url, Clock(), secret="wrong")
    with pytest.raises(DependencyUnavailable, match="invalid_client"):
        tokens.token()
