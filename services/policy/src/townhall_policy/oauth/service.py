"""Client authentication and token minting for the client-credentials grant (RFC 6749 §4.4).

Clients are the services, configured by id with the SHA-256 of their secret (a secret is
random and long, so a plain digest suffices and the settings never hold the secret). A
client's token names it as `service:<client id>`, the subject every service verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from townhall_platform.auth import TokenIssuer, ensure_signing_key
from townhall_policy.settings import PolicySettings

# The scope of a SCIM provisioning client's tokens (`oauth_scim_clients`).
SCIM_SCOPE = "scim"


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `error` is its code, `status` the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def secret_digest(secret: str) -> str:
    """What the settings hold for a client secret (`townhall-policy oauth-client` prints it)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def key_id(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 thumbprint of the key, so a rotated key gets a new `kid`."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str | None

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.scope:
            answer["scope"] = self.scope
        return answer


class ServiceTokenIssuer:
    """Authenticates a client and mints its service token."""

    def __init__(self, settings: PolicySettings) -> None:
        key_file: Path = settings.oauth_signing_key_file or settings.signing_key_file
        private_key = ensure_signing_key(key_file)
        self.public_key = private_key.public_key()
        self.kid = key_id(self.public_key)
        self._clients = {cid: digest.lower() for cid, digest in settings.oauth_clients.items()}
        self._ttl = settings.oauth_token_seconds
        self.issuer = settings.oauth_issuer or settings.jwt_issuer
        self.scim_audience = settings.scim_audience
        self._scim_clients = frozenset(settings.oauth_scim_clients)
        self._minter, self._scim_minter = (
            TokenIssuer(
                private_key,
                issuer=self.issuer,
                user_audience=settings.jwt_audience,
                service_audience=audience,
                key_id=self.kid,
            )
            for audience in (settings.service_audience, settings.scim_audience)
        )

    def issue(
        self, grant_type: str | None, client_id: str | None, secret: str | None, scope: str | None
    ) -> IssuedToken:
        if not client_id or secret is None:
            raise OAuthError("invalid_client", "Client authentication is required.", 401)
        expected = self._clients.get(client_id)
        # Compared in constant time, and against a digest even for an unknown client.
        given = secret_digest(secret)
        if not hmac.compare_digest(given, expected or "0" * 64) or expected is None:
            raise OAuthError("invalid_client", "Unknown client or wrong secret.", 401)
        if grant_type != "client_credentials":
            raise OAuthError(
                "unsupported_grant_type", "Only the client_credentials grant is offered."
            )
        requested = set((scope or "").split())
        if client_id in self._scim_clients:
            # A provisioning client's tokens are good for SCIM and nothing else.
            if requested - {SCIM_SCOPE}:
                raise OAuthError("invalid_scope", f"This client may ask for {SCIM_SCOPE!r} only.")
            token = self._scim_minter.service_token(
                client_id, ttl_seconds=self._ttl, scope=SCIM_SCOPE
            )
            return IssuedToken(token, self._ttl, SCIM_SCOPE)
        if SCIM_SCOPE in requested:
            raise OAuthError("invalid_scope", "This client is not a SCIM provisioning client.")
        token = self._minter.service_token(client_id, ttl_seconds=self._ttl)
        return IssuedToken(token, self._ttl, scope)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}
