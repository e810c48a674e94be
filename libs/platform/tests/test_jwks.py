"""Production verification: keys come from a JWKS URL (served here by a real HTTP server)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jwt
import pytest

from townhall_platform.auth import TokenIssuer, TokenVerifier, ensure_signing_key
from townhall_platform.errors import Unauthenticated


@pytest.fixture
def jwks_url(signing_key_file: Path) -> Iterator[str]:
    public = ensure_signing_key(signing_key_file).public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    body = json.dumps({"keys": [{**jwk, "kid": "dev", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def test_tokens_are_verified_against_the_jwks(
    jwks_url: str, token_issuer: TokenIssuer, tmp_path: Path
) -> None:
    verifier = TokenVerifier(
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
        jwks_url=jwks_url,
    )
    assert verifier.verify(token_issuer.user_token("claire")).subject == "claire"
    assert verifier.verify(token_issuer.service_token("search")).kind == "service"
    stranger = TokenIssuer(
        ensure_signing_key(tmp_path / "stranger.pem"),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
        key_id="unknown-kid",
    )
    with pytest.raises(Unauthenticated, match="signing key"):
        verifier.verify(stranger.user_token("claire"))
