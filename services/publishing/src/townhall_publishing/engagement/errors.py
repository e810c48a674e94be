"""Errors of reactions and acknowledgements."""

from __future__ import annotations

from townhall_platform.errors import NotFound


class ReactionNotFound(NotFound):
    type_slug = "reaction-not-found"
    title = "Reaction not found"
