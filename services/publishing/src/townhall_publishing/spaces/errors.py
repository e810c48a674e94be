"""Errors of the spaces domain, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import Conflict, NotFound, ValidationFailed


class SpaceNotFound(NotFound):
    """No such space, or one the caller may not see (the same answer, so nothing leaks)."""

    type_slug = "space-not-found"
    title = "Space not found"


class SpaceAlreadyExists(Conflict):
    type_slug = "space-exists"
    title = "Space already exists"


class SpaceArchived(Conflict):
    type_slug = "space-archived"
    title = "Space is archived"


class UnknownSubject(ValidationFailed):
    type_slug = "unknown-subject"
    title = "Unknown user"


class SpaceNotJoinable(Conflict):
    """Only public communities are joined and left by their members themselves."""

    type_slug = "space-not-joinable"
    title = "Space is not joined this way"


class NotAMember(Conflict):
    """Leaving a space one holds no membership of (or holds only through a group)."""

    type_slug = "not-a-member"
    title = "Not a member"
