"""Feed tokens (create, list, revoke) and reading a token holder's official feed."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import RowMapping
from sqlmodel import Session

from ..database import utcnow
from ..policy_gate import PolicyGate
from ..spaces.models import Space
from ..spaces.service import get_visible_space
from .errors import FeedTokenNotFound, FeedTokenRefused, TooManyFeedTokens
from .models import FeedToken
from .repository import FeedTokenRepository, readable_official_posts

# Tokens say what they are (so that secret scanners and people recognise one).
TOKEN_PREFIX = "thf_"
_SHOWN_PREFIX = len(TOKEN_PREFIX) + 4


def token_hash(value: str) -> str:
    """The stored form of a token's value."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class OfficialFeed:
    """What one poll of a feed shows its token's holder."""

    subject: str
    space: Space | None
    entries: Sequence[RowMapping]


def create_token(
    *, session: Session, owner: str, name: str, max_tokens: int
) -> tuple[FeedToken, str]:
    """A new token of `owner` and its value (returned this once, never stored)."""
    repository = FeedTokenRepository(session)
    if repository.count_active(owner) >= max_tokens:
        raise TooManyFeedTokens(
            f"You already hold {max_tokens} feed tokens: revoke one you no longer use."
        )
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = FeedToken(
        id=str(uuid.uuid4()),
        user_id=owner,
        name=name,
        token_hash=token_hash(value),
        prefix=value[:_SHOWN_PREFIX],
    )
    repository.add(token)
    return token, value


def list_tokens(*, session: Session, owner: str) -> list[FeedToken]:
    """The owner's tokens in force, newest first."""
    return FeedTokenRepository(session).active_for(owner)


def revoke_token(*, session: Session, owner: str, token_id: str) -> None:
    """Revoke one of the owner's tokens; revoking a revoked token again changes nothing."""
    repository = FeedTokenRepository(session)
    token = repository.get_owned(token_id, owner)
    if token is None:
        raise FeedTokenNotFound(f"You hold no feed token '{token_id}'.")
    if token.revoked_at is None:
        repository.revoke(token, utcnow())


def read_official_feed(
    *, session: Session, gate: PolicyGate, token: str | None, space_id: str | None, limit: int
) -> OfficialFeed:
    """The official posts the token's holder may read now, in one space or all.

    Readers are decided at each poll from the holder's principals as policy answers them
    now: a revoked member's token shows nothing more of the space, a deactivated user's
    shows nothing at all.
    """
    found = FeedTokenRepository(session).active_by_hash(token_hash(token)) if token else None
    if found is None:
        raise FeedTokenRefused("Give a feed token in force as `token` (create one in the portal).")
    subject = found.user_id
    space = (
        get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
        if space_id is not None
        else None
    )
    entries = readable_official_posts(
        session, principals=gate.principals(subject), space_id=space_id, limit=limit
    )
    return OfficialFeed(subject=subject, space=space, entries=entries)
