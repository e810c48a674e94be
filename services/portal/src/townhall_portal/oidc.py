"""OpenID Connect authorization-code sign-in (with PKCE) against the company's provider.

The provider's discovery document gives the endpoints; the ID token is verified with the
provider's JWKS (issuer, audience = client id, nonce); the access token is what the portal
then presents to the APIs, which verify it against the same JWKS. Signing out ends the
provider's session too, by RP-initiated logout, when the provider offers it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from townhall_clients import ServiceUnavailable


class SignInFailed(Exception):
    """The provider refused the code, or its ID token did not verify."""


@dataclass(frozen=True)
class PendingSignIn:
    """What the callback must find again: the state, nonce, PKCE verifier and next page."""

    state: str
    nonce: str
    verifier: str
    next_path: str

    def as_dict(self) -> dict[str, str]:
        return {"s": self.state, "n": self.nonce, "v": self.verifier, "next": self.next_path}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingSignIn:
        return cls(str(data["s"]), str(data["n"]), str(data["v"]), str(data["next"]))


@dataclass(frozen=True)
class SignedIn:
    subject: str
    name: str
    access_token: str
    # Kept to end the provider's session at sign-out (`id_token_hint`).
    id_token: str = ""


class OidcClient:
    """The relying party: builds the authorization URL and redeems the code."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        scopes: str,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        self._http = httpx.Client(timeout=timeout, transport=transport)
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once)."""
        if self._metadata is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            try:
                response = self._http.get(url)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise ServiceUnavailable(
                    f"identity provider unreachable: {exc}", service="identity provider"
                ) from exc
            self._metadata = dict(response.json())
        return self._metadata

    def begin(self, next_path: str) -> tuple[str, PendingSignIn]:
        """The URL to send the browser to, and what to remember until it comes back."""
        pending = PendingSignIn(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            next_path=next_path,
        )
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "scope": self.scopes,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.metadata()['authorization_endpoint']}?{query}", pending

    def finish(self, *, code: str, state: str, pending: PendingSignIn) -> SignedIn:
        """Redeem the code and verify the ID token; raise `SignInFailed` otherwise."""
        if not secrets.compare_digest(state, pending.state):
            raise SignInFailed("state does not match")
        metadata = self.metadata()
        try:
            response = self._http.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": pending.verifier,
                },
                auth=(self.client_id, self._secret),
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"identity provider unreachable: {exc}", service="identity provider"
            ) from exc
        if response.status_code != 200:
            raise SignInFailed(f"token endpoint answered {response.status_code}")
        tokens = response.json()
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not id_token or not access_token:
            raise SignInFailed("the provider answered without tokens")
        if self._jwks is None:
            self._jwks = jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=True)
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token).key
            claims = jwt.decode(
                id_token,
                key,
                algorithms=["RS256", "ES256"],
                audience=self.client_id,
                issuer=metadata.get("issuer", self.issuer),
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise SignInFailed(f"ID token did not verify: {exc}") from exc
        if not secrets.compare_digest(str(claims.get("nonce", "")), pending.nonce):
            raise SignInFailed("nonce does not match")
        name = str(claims.get("name") or claims.get("preferred_username") or claims["sub"])
        return SignedIn(
            subject=str(claims["sub"]),
            name=name,
            access_token=str(access_token),
            id_token=str(id_token),
        )

    def end_session_url(self, *, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to end the provider's session too (OpenID Connect
        RP-initiated logout), or None when the provider offers no `end_session_endpoint`."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token:
            params["id_token_hint"] = id_token
        separator = "&" if "?" in str(endpoint) else "?"
        return f"{endpoint}{separator}{urlencode(params)}"
