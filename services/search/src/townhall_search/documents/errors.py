"""Errors of the index-event intake."""

from __future__ import annotations

from townhall_platform.errors import ValidationFailed


class InvalidIndexEvent(ValidationFailed):
    """An event is well-formed JSON but inconsistent (e.g. an upsert without a document)."""

    type_slug = "invalid-index-event"
    title = "Invalid index event"
