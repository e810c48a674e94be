"""Errors of the directory."""

from __future__ import annotations

from townhall_platform.errors import NotFound, ValidationFailed


class SubjectNotFound(NotFound):
    """A subject named in the path does not exist."""

    type_slug = "subject-not-found"
    title = "Subject not found"


class UnknownSubject(ValidationFailed):
    """A subject named in a request body does not exist."""

    type_slug = "unknown-subject"
    title = "Unknown subject"


class InactiveSubject(ValidationFailed):
    """The subject is deactivated: it cannot receive new grants."""

    type_slug = "inactive-subject"
    title = "Inactive subject"


class NotAGroup(ValidationFailed):
    type_slug = "not-a-group"
    title = "Not a group"
