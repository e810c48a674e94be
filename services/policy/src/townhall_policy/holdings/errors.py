"""Refusals of the separation of duties, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import Conflict


class SeparationOfDuties(Conflict):
    """The grant would give one subject two roles that must stay apart."""

    type_slug = "separation-of-duties"
    title = "Separation of duties"


class LastPolicyAdmin(Conflict):
    """The change would leave no active policy admin: nobody could grant or revoke again."""

    type_slug = "last-policy-admin"
    title = "The last policy admin must remain"
