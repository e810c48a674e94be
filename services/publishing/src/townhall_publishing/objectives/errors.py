"""Errors of objectives, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import Conflict, NotFound, ValidationFailed


class ObjectiveNotFound(NotFound):
    """No such objective, or one in a space the caller may not see (the same answer)."""

    type_slug = "objective-not-found"
    title = "Objective not found"


class ObjectiveClosed(Conflict):
    type_slug = "objective-closed"
    title = "Objective is closed"


class UnknownScope(ValidationFailed):
    """The space or group named as the scope does not exist, or the caller may not see it."""

    type_slug = "unknown-scope"
    title = "Unknown scope"


class TargetOutOfRange(ValidationFailed):
    type_slug = "target-out-of-range"
    title = "Target outside the metric's range"


class InvalidObjective(ValidationFailed):
    type_slug = "invalid-objective"
    title = "Invalid objective"
