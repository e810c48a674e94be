"""JWT identity: user tokens and service tokens, verified on every request.

User tokens carry `aud=<jwt_audience>` and `sub=<subject id>`; service tokens carry
`aud=<service_audience>` and `sub=service:<name>`. Internal endpoints accept only
service tokens, public endpoints only user tokens. In development the services
verify with a local RSA key (created on first use); in production with a JWKS URL.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import Forbidden, Unauthenticated

ALGORITHM = "RS256"
SERVICE_SUBJECT_PREFIX = "service:"


def ensure_signing_key(path: Path) -> rsa.RSAPrivateKey:
    """Load the development signing key, creating it on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        try:
            # Atomic and first-writer-wins when several processes start at once.
            path.hardlink_to(tmp)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key")
    return loaded


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a user (subject id) or a service."""

    subject: str
    kind: Literal["user", "service"]
    token: str
    claims: dict[str, Any]

    @property
    def service_name(self) -> str | None:
        if self.kind != "service":
            return None
        return self.subject.removeprefix(SERVICE_SUBJECT_PREFIX)


class TokenIssuer:
    """Mints RS256 tokens with a private key (development and tests only)."""

    def __init__(
        self,
        private_key: rsa.RSAPrivateKey,
        *,
        issuer: str,
        user_audience: str,
        service_audience: str,
        key_id: str = "dev",
    ) -> None:
        self._key = private_key
        self._issuer = issuer
        self._user_audience = user_audience
        self._service_audience = service_audience
        self._kid = key_id

    def _mint(self, subject: str, audience: str, ttl_seconds: int, extra: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self._issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now - 5,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            **extra,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self._kid})

    def user_token(self, subject: str, *, ttl_seconds: int = 12 * 3600, **extra: Any) -> str:
        return self._mint(subject, self._user_audience, ttl_seconds, extra)

    def service_token(self, service: str, *, ttl_seconds: int = 3600, **extra: Any) -> str:
        return self._mint(
            SERVICE_SUBJECT_PREFIX + service, self._service_audience, ttl_seconds, extra
        )


class TokenVerifier:
    """Verifies bearer tokens with a local public key or a JWKS URL."""

    def __init__(
        self,
        *,
        issuer: str,
        user_audience: str,
        service_audience: str,
        public_key: rsa.RSAPublicKey | None = None,
        jwks_url: str | None = None,
        service_issuer: str | None = None,
        service_jwks_url: str | None = None,
        leeway_seconds: int = 10,
    ) -> None:
        if public_key is None and not jwks_url:
            raise ValueError("a public key or a JWKS URL is required")
        self._public_key = public_key
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        # Service tokens may come from their own issuer (policy's token endpoint) while user
        # tokens come from the company's identity provider: each issuer has its own keys.
        self._service_issuer = service_issuer
        self._service_jwks = (
            jwt.PyJWKClient(service_jwks_url, cache_keys=True) if service_jwks_url else None
        )
        self._service_public_key: rsa.RSAPublicKey | None = None

        self._issuer = issuer
        self._user_audience = user_audience
        self._service_audience = service_audience
        self._leeway = leeway_seconds
        # Verified tokens, so a caller's repeated requests skip the RSA signature check.
        # Keyed by the whole token; an entry is used only until its token expires.
        self._verified: dict[str, tuple[Caller, float]] = {}

    def trust_local_service_issuer(self, issuer: str, public_key: rsa.RSAPublicKey) -> None:
        """Verify `issuer`'s service tokens with a key in hand: the issuer's own process
        must not fetch its JWKS from itself over HTTP while serving a request."""
        self._service_issuer = issuer
        self._service_jwks = None
        self._service_public_key = public_key
        self._verified.clear()

    _CACHE_LIMIT = 10_000

    def _key_for(self, token: str, jwks: jwt.PyJWKClient | None, key: Any) -> Any:
        if jwks is not None:
            try:
                return jwks.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientError as exc:
                raise Unauthenticated(f"Token signing key could not be resolved: {exc}") from exc
        return key

    def verify(self, token: str) -> Caller:
        """Return the caller a token names, or raise `Unauthenticated`."""
        cached = self._verified.get(token)
        if cached is not None:
            if time.time() < cached[1]:
                return cached[0]
            self._verified.pop(token, None)
        caller = self._verify_uncached(token)
        if len(self._verified) >= self._CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = (caller, float(caller.claims["exp"]) + self._leeway)
        return caller

    def _verify_uncached(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Bearer token is malformed.") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated(f"Bearer token must be signed with {ALGORITHM}.")
        issuer, jwks, key = self._issuer, self._jwks, self._public_key
        audiences = [self._user_audience, self._service_audience]
        if self._service_issuer and _unverified_issuer(token) == self._service_issuer:
            # That issuer's tokens are trusted as service tokens only.
            issuer, jwks, key = self._service_issuer, self._service_jwks, self._service_public_key
            audiences = audiences[1:]
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key_for(token, jwks, key),
                algorithms=[ALGORITHM],
                audience=audiences,
                issuer=issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Bearer token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("Bearer token is not meant for Townhall.") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("Bearer token has an unknown issuer.") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("Bearer token signature is invalid.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"Bearer token is invalid: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        subject = str(claims["sub"])
        if self._service_audience in audiences:
            if not subject.startswith(SERVICE_SUBJECT_PREFIX):
                raise Unauthenticated("Service token must name a service subject.")
            return Caller(subject=subject, kind="service", token=token, claims=claims)
        if subject.startswith(SERVICE_SUBJECT_PREFIX) or not subject:
            raise Unauthenticated("User token names a service subject.")
        return Caller(subject=subject, kind="user", token=token, claims=claims)


def _unverified_issuer(token: str) -> Any:
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None


def bearer_token(authorization: str | None) -> str:
    """Extract the token of an `Authorization: Bearer …` header."""
    if not authorization:
        raise Unauthenticated("Missing Authorization header with a Bearer token.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'.")
    return token.strip()


def require_user(caller: Caller) -> Caller:
    if caller.kind != "user":
        raise Forbidden("This endpoint is for users; service tokens are refused.")
    return caller


def require_service(caller: Caller) -> Caller:
    if caller.kind != "service":
        raise Forbidden("This endpoint is internal: it accepts service tokens only.")
    return caller
