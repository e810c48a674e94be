from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from townhall_platform.auth import (
    TokenIssuer,
    TokenVerifier,
    bearer_token,
    ensure_signing_key,
    require_service,
    require_user,
)
from townhall_platform.errors import Forbidden, Unauthenticated


@pytest.fixture
def verifier(token_issuer: TokenIssuer, signing_key_file: Path) -> TokenVerifier:
    return TokenVerifier(
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
        public_key=ensure_signing_key(signing_key_file).public_key(),
    )


def test_user_and_service_tokens_are_told_apart(
    token_issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    user = verifier.verify(token_issuer.user_token("alice"))
    assert (user.subject, user.kind, user.service_name) == ("alice", "user", None)
    service = verifier.verify(token_issuer.service_token("publishing"))
    assert (service.kind, service.service_name) == ("service", "publishing")
    assert require_user(user) is user
    assert require_service(service) is service
    with pytest.raises(Forbidden):
        require_service(user)
    with pytest.raises(Forbidden):
        require_user(service)


def test_expired_forged_and_foreign_tokens_are_refused(
    token_issuer: TokenIssuer, verifier: TokenVerifier, tmp_path: Path
) -> None:
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token_issuer.user_token("alice", ttl_seconds=-60))
    other = TokenIssuer(
        ensure_signing_key(tmp_path / "other.pem"),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )
    with pytest.raises(Unauthenticated, match="signature"):
        verifier.verify(other.user_token("alice"))
    foreign = TokenIssuer(
        ensure_signing_key(tmp_path / "foreign.pem"),
        issuer="someone-else",
        user_audience="townhall",
        service_audience="townhall-internal",
    )
    with pytest.raises(Unauthenticated):
        verifier.verify(foreign.user_token("alice"))
    now = int(time.time())
    hs = jwt.encode({"sub": "alice", "exp": now + 60}, "secret" * 8, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="RS256"):
        verifier.verify(hs)
    with pytest.raises(Unauthenticated, match="malformed"):
        verifier.verify("garbage")


def test_a_user_token_cannot_pose_as_a_service(
    signing_key_file: Path, verifier: TokenVerifier
) -> None:
    key = ensure_signing_key(signing_key_file)
    now = int(time.time())
    claims = {
        "iss": "townhall-dev",
        "aud": "townhall",
        "sub": "service:search",
        "iat": now,
        "exp": now + 60,
    }
    with pytest.raises(Unauthenticated, match="service subject"):
        verifier.verify(jwt.encode(claims, key, algorithm="RS256"))


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (None, False),
        ("", False),
        ("Basic abc", False),
        ("Bearer ", False),
        ("Bearer t", True),
        ("bearer t", True),
    ],
)
def test_bearer_header_parsing(header: str | None, ok: bool) -> None:
    if ok:
        assert bearer_token(header) == "t"
    else:
        with pytest.raises(Unauthenticated):
            bearer_token(header)


def test_signing_key_is_created_once(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k.pem"
    first = ensure_signing_key(path)
    second = ensure_signing_key(path)
    assert first.private_numbers() == second.private_numbers()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_cached_token_is_refused_once_it_expires(
    token_issuer: TokenIssuer, signing_key_file: Path
) -> None:
    strict = TokenVerifier(
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
        public_key=ensure_signing_key(signing_key_file).public_key(),
        leeway_seconds=0,
    )
    # Ten seconds, so that a loaded machine still verifies it before it expires.
    token = token_issuer.user_token("alice", ttl_seconds=10)
    assert strict.verify(token).subject == "alice"
    assert strict.verify(token).subject == "alice"  # from the cache
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            strict.verify(token)
        except Unauthenticated as exc:
            assert "expired" in str(exc)
            break
        time.sleep(0.2)
    else:
        pytest.fail("the cached token was still accepted 60 s after it was minted to last 10 s")
