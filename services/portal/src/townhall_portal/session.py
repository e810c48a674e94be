"""Signed, HTTP-only session cookies and CSRF tokens bound to a per-browser secret.

The session cookie carries the user's API token, signed (not encrypted) with the portal's
secret; it is HTTP-only, `SameSite=Lax`, and `Secure` outside development. The CSRF token
of every form is an HMAC of a random per-browser nonce (its own HTTP-only cookie), so a
page from elsewhere can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "townhall_session"
CSRF_COOKIE = "townhall_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SALT = "townhall-portal-session"


@dataclass(frozen=True)
class Session:
    """A signed-in user: who, the token to call the APIs with, and until when."""

    subject: str
    token: str
    expires_at: float
    name: str = ""
    # Org-level actions policy allowed at sign-in; only to shape the navigation.
    capabilities: frozenset[str] = frozenset()

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def token_expiry(token: str) -> float | None:
    """The `exp` of a JWT, read without verifying it (the APIs verify it on every call)."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None


class SessionCodec:
    """Reads and writes the session and CSRF cookies."""

    def __init__(self, secret: str, *, max_age_seconds: int, secure: bool) -> None:
        self._secret = secret.encode()
        self._serializer = URLSafeTimedSerializer(secret, salt=SESSION_SALT)
        self._max_age = max_age_seconds
        self._secure = secure

    def load(self, request: Request) -> Session | None:
        """The session of the request, or None when missing, forged or expired."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self._max_age)
            session = Session(
                subject=str(data["sub"]),
                token=str(data["token"]),
                expires_at=float(data["exp"]),
                name=str(data.get("name", "")),
                capabilities=frozenset(str(c) for c in data.get("caps", [])),
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        return None if session.expired else session

    def had_session(self, request: Request) -> bool:
        """Whether the browser sent a session cookie at all (to say it expired)."""
        return bool(request.cookies.get(SESSION_COOKIE))

    def open(
        self,
        response: Response,
        *,
        subject: str,
        token: str,
        name: str = "",
        capabilities: frozenset[str] = frozenset(),
    ) -> None:
        """Start a session; it ends with the token or the session's maximum age."""
        expires_at = time.time() + self._max_age
        token_exp = token_expiry(token)
        if token_exp is not None:
            expires_at = min(expires_at, token_exp)
        value = self._serializer.dumps(
            {
                "sub": subject,
                "token": token,
                "exp": expires_at,
                "name": name,
                "caps": sorted(capabilities),
            }
        )
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=self._max_age,
            httponly=True,
            secure=self._secure,
            samesite="lax",
            path="/",
        )

    def close(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, secure=self._secure, samesite="lax"
        )

    # CSRF.

    def csrf_nonce(self, request: Request) -> str:
        """The browser's nonce, or a new one (remembered on the request to set it once)."""
        nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_nonce", None)
        if not nonce:
            nonce = secrets.token_urlsafe(24)
            request.state.new_csrf_nonce = nonce
        return str(nonce)

    def csrf_token(self, request: Request) -> str:
        """The token to put in a form's hidden `csrf_token` field."""
        return self._sign(self.csrf_nonce(request))

    def csrf_valid(self, request: Request, submitted: str | None) -> bool:
        """Whether a submitted token matches the browser's nonce."""
        nonce = request.cookies.get(CSRF_COOKIE)
        if not nonce or not submitted:
            return False
        return hmac.compare_digest(self._sign(nonce), submitted)

    def remember_csrf_nonce(self, request: Request, response: Response) -> None:
        """Set the nonce cookie if this request created it."""
        nonce = getattr(request.state, "new_csrf_nonce", None)
        if nonce:
            response.set_cookie(
                CSRF_COOKIE,
                nonce,
                httponly=True,
                secure=self._secure,
                samesite="lax",
                path="/",
            )

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()
