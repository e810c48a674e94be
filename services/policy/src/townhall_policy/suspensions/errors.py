"""Errors about suspensions."""

from __future__ import annotations

from townhall_platform.errors import Conflict, Forbidden, NotFound, ValidationFailed


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


class ReadSuspensionInPublicSpace(ValidationFailed):
    """Reading a public space is every employee's (the readers rule's `org`): no principal
    could express a refusal there alone, so policy would refuse what is served."""

    type_slug = "read-suspension-in-public-space"
    title = "Reading cannot be suspended in one public space"
