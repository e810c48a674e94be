"""What the preferences API refuses."""

from __future__ import annotations

from townhall_platform.errors import TownhallError


class MandatoryNotification(TownhallError):
    """A mandatory kind asked to be `off`: the official voice must reach everyone."""

    status = 422
    type_slug = "mandatory-notification"
    title = "This notification cannot be switched off"


class BadUnsubscribeLink(TownhallError):
    status = 403
    type_slug = "bad-unsubscribe-link"
    title = "This unsubscribe link is not valid"
