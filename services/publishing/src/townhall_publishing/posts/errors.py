"""Errors of the posts domain, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import Conflict, Forbidden, NotFound, ValidationFailed


class PostNotFound(NotFound):
    """No such post, or one the caller may not read (the same answer, so nothing leaks)."""

    type_slug = "post-not-found"
    title = "Post not found"


class CommentNotFound(NotFound):
    type_slug = "comment-not-found"
    title = "Comment not found"


class WrongKindForSpace(ValidationFailed):
    """An announcement space accepts only official posts."""

    type_slug = "wrong-kind-for-space"
    title = "Wrong kind of post for this space"


class NotAuthor(Forbidden):
    """Only its author may edit or delete a post or comment."""

    type_slug = "not-author"
    title = "Only the author may do this"


class InvalidTransition(Conflict):
    """The post is not in a state where this step applies."""

    type_slug = "invalid-transition"
    title = "Not possible in the post's current state"


class InvalidAudience(ValidationFailed):
    type_slug = "invalid-audience"
    title = "Invalid audience"


class AlreadyDone(Conflict):
    """The same thing was done before (reacted, acknowledged, endorsed, reported)."""

    type_slug = "already-done"
    title = "Already done"


class RevisionChanged(Conflict):
    """A vouch (endorsement, pin, official answer) asked for a revision since replaced."""

    type_slug = "revision-changed"
    title = "The post was edited since"
