"""Errors about suspensions."""

from __future__ import annotations

from townhall_platform.errors import Conflict, Forbidden, NotFound


class SuspensionNotFound(NotFound):
    type_slug = "suspension-not-found"
    title = "Suspension not found"


class SuspensionAlreadyLifted(Conflict):
    type_slug = "suspension-already-lifted"
    title = "Suspension already lifted"


class DuplicateSuspension(Conflict):
    type_slug = "duplicate-suspension"
    title = "Duplicate suspension"


class SelfSuspension(Forbidden):
    type_slug = "self-suspension"
    title = "Self-suspension refused"


class SelfLift(Forbidden):
    """Nobody lifts a suspension of themselves."""

    type_slug = "self-lift"
    title = "Lifting one's own suspension refused"
