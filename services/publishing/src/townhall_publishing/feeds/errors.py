"""Errors of the Atom feeds and their tokens, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import Conflict, NotFound, Unauthenticated


class FeedTokenRefused(Unauthenticated):
    """No token, or one that is unknown or revoked (the same answer: nothing tells which)."""

    type_slug = "feed-token-refused"
    title = "Feed token refused"


class FeedTokenNotFound(NotFound):
    """No such token among the caller's (another user's token is not found either)."""

    type_slug = "feed-token-not-found"
    title = "Feed token not found"


class TooManyFeedTokens(Conflict):
    type_slug = "too-many-feed-tokens"
    title = "Too many feed tokens"
