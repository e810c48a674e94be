"""Errors of the official workflow."""

from __future__ import annotations

from townhall_platform.errors import Forbidden, ValidationFailed


class FourEyes(Forbidden):
    """An approver may not approve (or reject) their own official post."""

    type_slug = "four-eyes"
    title = "An approver may not decide on their own post"


class InvalidSchedule(ValidationFailed):
    type_slug = "invalid-schedule"
    title = "Invalid schedule time"


class NotOfficial(ValidationFailed):
    type_slug = "not-official"
    title = "Only an official post goes through this workflow"
