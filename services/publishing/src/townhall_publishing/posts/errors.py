"""Errors of the posts domain, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import NotFound, ValidationFailed


class PostNotFound(NotFound):
    """No such post, or one the caller may not read (the same answer, so nothing leaks)."""

    type_slug = "post-not-found"
    title = "Post not found"


class WrongKindForSpace(ValidationFailed):
    """An announcement space accepts only official posts."""

    type_slug = "wrong-kind-for-space"
    title = "Wrong kind of post for this space"
