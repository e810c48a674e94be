"""Encrypted, HTTP-only session cookies and CSRF tokens bound to a per-browser secret.

The session cookie carries the user's API token (and, after an OpenID Connect sign-in, the
ID token to end the provider's session with), encrypted and authenticated with Fernet
(AES-CBC and HMAC-SHA256, from `cryptography`) under a key derived from the portal's secret:
the browser holds it but can neither read nor alter it. It is HTTP-only, `SameSite=Lax`, and
`Secure` outside development. The CSRF token of every form is an HMAC of a random
per-browser nonce (its own HTTP-only cookie), so a page from elsewhere can neither read nor
forge it.

Signing out also ends the session server-side: each session has a random id, and the ids
of sessions signed out are refused until they would have expired (`revocations`), so a
copy of the cookie is worthless after sign-out. Signing in and out gives the browser a new
CSRF nonce, so a token read before sign-in is not valid in the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

from .revocations import MemoryRevocations, SessionRevocations

SESSION_COOKIE = "townhall_session"
CSRF_COOKIE = "townhall_csrf"
CSRF_FIELD = "csrf_token"
# Separates the session's encryption key from the CSRF key derived from the same secret.
SESSION_KEY_INFO = b"townhall-portal-session"


@dataclass(frozen=True)
class Session:
    """A signed-in user: who, the token to call the APIs with, and until when."""

    subject: str
    token: str
    expires_at: float
    name: str = ""
    # The provider's ID token, for RP-initiated logout (OpenID Connect sign-ins only).
    id_token: str = ""
    # Random, per sign-in: what signing out revokes.
    session_id: str = ""

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


def session_fernet(secret: str) -> Fernet:
    """The cookie's cipher: a Fernet key derived from the portal's secret with HKDF."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=SESSION_KEY_INFO).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


class SessionCodec:
    """Reads and writes the session and CSRF cookies."""

    def __init__(
        self,
        secret: str,
        *,
        max_age_seconds: int,
        secure: bool,
        revocations: SessionRevocations | None = None,
    ) -> None:
        self._secret = secret.encode()
        self._fernet = session_fernet(secret)
        self._max_age = max_age_seconds
        self._secure = secure
        self._revocations = revocations if revocations is not None else MemoryRevocations()

    def seal(self, session: Session) -> str:
        """The cookie value of a session: encrypted and authenticated."""
        data = {
            "sub": session.subject,
            "token": session.token,
            "exp": session.expires_at,
            "name": session.name,
            "sid": session.session_id,
        }
        if session.id_token:
            data["id_token"] = session.id_token
        return self._fernet.encrypt(json.dumps(data).encode()).decode()

    def unseal(self, raw: str) -> Session | None:
        """The session in a cookie value, or None when forged, altered or too old."""
        try:
            data = json.loads(self._fernet.decrypt(raw.encode(), ttl=self._max_age))
            return Session(
                subject=str(data["sub"]),
                token=str(data["token"]),
                expires_at=float(data["exp"]),
                name=str(data.get("name", "")),
                id_token=str(data.get("id_token", "")),
                session_id=str(data["sid"]),
            )
        except (InvalidToken, KeyError, TypeError, ValueError):
            return None

    def load(self, request: Request) -> Session | None:
        """The session of the request, or None when missing, forged or expired."""
        raw = request.cookies.get(SESSION_COOKIE)
        session = self.unseal(raw) if raw else None
        if session is None or session.expired or not session.session_id:
            return None
        return None if self._revocations.revoked(session.session_id) else session

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
        id_token: str = "",
    ) -> None:
        """Start a session; it ends with the token or the session's maximum age."""
        expires_at = time.time() + self._max_age
        token_exp = token_expiry(token)
        if token_exp is not None:
            expires_at = min(expires_at, token_exp)
        value = self.seal(
            Session(
                subject=subject,
                token=token,
                expires_at=expires_at,
                name=name,
                id_token=id_token,
                session_id=secrets.token_urlsafe(24),
            )
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
        self._rotate_csrf_nonce(response)

    def close(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, secure=self._secure, samesite="lax"
        )

    def end(self, session: Session | None, response: Response) -> None:
        """Sign out: the session is refused from now on, whoever holds a copy of it."""
        if session is not None and session.session_id:
            self._revocations.revoke(session.session_id, until=session.expires_at)
        self.close(response)
        self._rotate_csrf_nonce(response)

    # CSRF.

    def csrf_nonce(self, request: Request) -> str:
        """The browser's nonce, or a new one (remembered on the request to set it once)."""
        nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_nonce", None)
        if not nonce:
            nonce = secrets.token_urlsafe(24)
            request.state.new_csrf_nonce = nonce
        return str(nonce)

    def csrf_token(self, request: Request) -> str:
        """The token to put in a form's hidden `csrf_token` field, masked with a fresh pad
        on every page: pages are compressed, and a secret repeated verbatim in compressed
        pages that also echo what the user typed can be guessed from their sizes (BREACH)."""
        token = bytes.fromhex(self._sign(self.csrf_nonce(request)))
        pad = secrets.token_bytes(len(token))
        return (pad + _xor(pad, token)).hex()

    def csrf_valid(self, request: Request, submitted: str | None) -> bool:
        """Whether a submitted token, unmasked, matches the browser's nonce."""
        nonce = request.cookies.get(CSRF_COOKIE)
        if not nonce or not submitted or len(submitted) != 4 * hashlib.sha256().digest_size:
            return False
        try:
            raw = bytes.fromhex(submitted)
        except ValueError:
            return False
        half = len(raw) // 2
        return hmac.compare_digest(_xor(raw[:half], raw[half:]), bytes.fromhex(self._sign(nonce)))

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

    def _rotate_csrf_nonce(self, response: Response) -> None:
        """A new nonce at sign-in and sign-out: tokens of the page before are refused."""
        response.set_cookie(
            CSRF_COOKIE,
            secrets.token_urlsafe(24),
            httponly=True,
            secure=self._secure,
            samesite="lax",
            path="/",
        )

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()


def _xor(pad: bytes, data: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(pad, data, strict=True))
