"""This service's own token, by the OAuth 2.0 client-credentials grant (RFC 6749 §4.4).

A token is fetched from the issuer's token endpoint (policy's `/oauth/token`, or an external
identity provider) and replaced before it expires: once less than `refresh_margin` of its
life remains, the next call fetches a new one. When the issuer cannot be reached, the token
in hand is used while it is still valid; past that, callers get a 503 (never a 500) and the
readiness check fails, so the instance is taken out of rotation instead of failing requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
import structlog
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error

from .errors import DependencyUnavailable
from .health import NotReady

log = structlog.get_logger("townhall.service_tokens")


@dataclass(frozen=True, slots=True)
class _Held:
    token: str
    # When it expires, and when it is due for replacement (both by this process's clock).
    expires_at: float
    refresh_at: float


class ClientCredentialsTokens:
    """Fetches and refreshes one client's access token; safe to share between threads."""

    def __init__(
        self,
        token_url: str,
        *,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        refresh_margin_seconds: float = 60.0,
        timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = token_url
        self._scope = scope
        self._margin = refresh_margin_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._held: _Held | None = None
        self._last_error = ""
        # client_secret_basic: the credentials go in the Authorization header, as RFC 6749
        # §2.3.1 requires every server to accept.
        self._oauth = OAuth2Session(
            client_id=client_id,
            client_secret=client_secret,
            token_endpoint_auth_method="client_secret_basic",
        )
        self._timeout = timeout_seconds

    def token(self) -> str:
        """A valid access token, fetched anew once the one in hand is due for refresh."""
        held = self._held
        now = self._clock()
        if held is not None and now < held.refresh_at:
            return held.token
        with self._lock:
            held = self._held
            now = self._clock()
            if held is not None and now < held.refresh_at:
                return held.token
            try:
                self._held = held = self._fetch(now)
            except (OAuthError, OAuth2Error, OSError, ValueError, KeyError) as exc:
                self._last_error = f"{type(exc).__name__}: {exc}"
                log.warning("service_token_fetch_failed", url=self._url, error=self._last_error)
                if held is not None and now < held.expires_at:
                    return held.token
                raise DependencyUnavailable(
                    "The identity provider did not issue this service's token: " + self._last_error,
                    service="identity",
                ) from exc
            return held.token

    def check(self) -> bool:
        """Readiness: a valid token is in hand or can be fetched now."""
        try:
            self.token()
        except DependencyUnavailable as exc:
            raise NotReady(f"no service token: {self._last_error or exc}") from exc
        return True

    def close(self) -> None:
        self._oauth.close()

    def _fetch(self, now: float) -> _Held:
        answer = self._fetch_raw()
        lifetime = float(str(answer.get("expires_in") or 0))
        if lifetime <= 0 or not answer.get("access_token"):
            raise ValueError("the token endpoint answered without access_token or expires_in")
        # Refresh after half the life at the latest, so a short-lived token is still renewed
        # well before expiry.
        margin = min(self._margin, lifetime / 2)
        log.info("service_token_fetched", url=self._url, expires_in=lifetime)
        return _Held(str(answer["access_token"]), now + lifetime, now + lifetime - margin)

    def _fetch_raw(self) -> dict[str, object]:
        # authlib lets the transport's errors through; they become OSError here so one
        # `except` in `token` covers an unreachable issuer.
        try:
            token = self._oauth.fetch_token(
                self._url, grant_type="client_credentials", scope=self._scope, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise OSError(f"{self._url} is unreachable: {exc}") from exc
        return dict(token)
