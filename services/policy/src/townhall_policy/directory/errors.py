"""Errors of the directory."""

from __future__ import annotations

from townhall_platform.errors import Conflict, NotFound, ValidationFailed


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


class NestedGroup(ValidationFailed):
    """Groups hold users only: a group inside a group is refused."""

    type_slug = "nested-group"
    title = "Groups contain users only"


class SubjectExists(Conflict):
    type_slug = "subject-exists"
    title = "Subject already exists"


class SubjectKindChange(Conflict):
    """A user stays a user and a group a group."""

    type_slug = "subject-kind-change"
    title = "Subject kind cannot change"


class InvalidImport(ValidationFailed):
    """A directory import with invalid rows; nothing of it was applied."""

    type_slug = "invalid-directory-import"
    title = "Invalid directory import"
