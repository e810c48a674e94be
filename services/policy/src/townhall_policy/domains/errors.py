"""Errors about domains."""

from __future__ import annotations

from townhall_platform.errors import ValidationFailed


class InvalidSpaceDomain(ValidationFailed):
    """Only `space:<id>` domains are registered; `org` exists from the start."""

    type_slug = "invalid-space-domain"
    title = "Invalid space domain"


class UnknownDomain(ValidationFailed):
    """A domain named in a request body was never registered."""

    type_slug = "unknown-domain"
    title = "Unknown domain"
