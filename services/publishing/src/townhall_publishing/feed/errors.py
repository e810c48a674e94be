"""Errors of the feed."""

from __future__ import annotations

from townhall_platform.errors import BadRequest


class InvalidCursor(BadRequest):
    type_slug = "invalid-cursor"
    title = "Invalid cursor"
