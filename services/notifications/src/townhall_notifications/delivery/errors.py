"""What event ingestion refuses."""

from __future__ import annotations

from townhall_platform.errors import TownhallError


class UnreadableEvent(TownhallError):
    """An event whose data does not match its type, or of a newer schema than ours."""

    status = 422
    type_slug = "unreadable-event"
    title = "The event cannot be read"
