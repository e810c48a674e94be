"""Errors of comments, reactions and acknowledgements."""

from __future__ import annotations

from townhall_platform.errors import NotFound, ValidationFailed


class ReactionNotFound(NotFound):
    type_slug = "reaction-not-found"
    title = "Reaction not found"


class InvalidReply(ValidationFailed):
    """Replies go one level deep, under a live comment of the same post."""

    type_slug = "invalid-reply"
    title = "Invalid reply"


class OfficialAnswerNotAllowed(ValidationFailed):
    """Official answers belong in social discussions."""

    type_slug = "official-answer-not-allowed"
    title = "An official answer belongs in a social discussion"
