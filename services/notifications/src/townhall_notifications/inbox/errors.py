"""What the inbox API refuses."""

from __future__ import annotations

from townhall_platform.errors import TownhallError


class NotificationNotFound(TownhallError):
    """No such item in the caller's inbox (another user's is not theirs to see)."""

    status = 404
    type_slug = "notification-not-found"
    title = "Notification not found"


class BadCursor(TownhallError):
    status = 400
    type_slug = "bad-cursor"
    title = "Malformed cursor"
