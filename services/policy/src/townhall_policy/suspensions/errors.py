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


class ReadSuspensionInSpace(ValidationFailed):
    """Reading is suspended in `org` only. In a public space every employee reads through
    the company (`org`), and a compliance officer reads every space through `auditor:org`:
    no principal could express a refusal in one space alone, so policy would refuse what
    publishing and search serve."""

    type_slug = "read-suspension-in-space"
    title = "Reading can be suspended in org only"
