"""Errors about grants, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import Conflict, Forbidden, NotFound, ValidationFailed


class GrantNotFound(NotFound):
    type_slug = "grant-not-found"
    title = "Grant not found"


class UnknownRole(ValidationFailed):
    type_slug = "unknown-role"
    title = "Unknown role"


class RoleNotHeldInDomain(ValidationFailed):
    """An org role granted in a space, or a space role granted in `org`."""

    type_slug = "role-domain-mismatch"
    title = "Role cannot be held in this domain"


class DuplicateGrant(Conflict):
    type_slug = "duplicate-grant"
    title = "Duplicate grant"


class GrantAlreadyRevoked(Conflict):
    type_slug = "grant-already-revoked"
    title = "Grant already revoked"


class SelfGrant(Forbidden):
    """Separation of duties: nobody grants a role to themselves."""

    type_slug = "self-grant"
    title = "Self-grant refused"


class ServiceGrantNotAllowed(Forbidden):
    """Services may grant space roles only; org roles are granted by policy admins."""

    type_slug = "service-grant-not-allowed"
    title = "Grant not allowed for services"
