"""Typed client of the notifications service's inbox, called with the user's token.

The portal shows the inbox and its header badge with it. Requests and answers are the
notifications service's public models (`townhall_contracts.notifications`); a refusal
raises `UnexpectedResponse`, an outage `ServiceUnavailable` (at once while the breaker
is open, so that a service that is down costs a page nothing).
"""

from __future__ import annotations

from townhall_contracts.notifications import Inbox, InboxItem, ReadAll, UnreadCount

from .base import ServiceClient, without_empty


class NotificationsClient(ServiceClient):
    """The caller's inbox: a page of it, its unread count, marking read."""

    service_name = "notifications"

    def inbox(self, *, user_token: str, cursor: str | None = None, limit: int = 20) -> Inbox:
        """One page of the caller's notifications, newest first, with the unread count."""
        response = self.request(
            "GET",
            "/v1/inbox",
            idempotent=True,
            token=user_token,
            params=without_empty({"cursor": cursor, "limit": limit}),
        )
        return Inbox.model_validate_json(response.content)

    def unread_count(self, *, user_token: str) -> int:
        """How many of the caller's notifications are unread (the header badge)."""
        response = self.request("GET", "/v1/inbox/unread", idempotent=True, token=user_token)
        return UnreadCount.model_validate_json(response.content).unread

    def mark_read(self, *, user_token: str, notification_id: int) -> InboxItem:
        """Mark one of the caller's notifications read (marking it twice changes nothing,
        so it is retried)."""
        response = self.request(
            "POST", f"/v1/inbox/{notification_id}/read", idempotent=True, token=user_token
        )
        return InboxItem.model_validate_json(response.content)

    def mark_all_read(self, *, user_token: str) -> int:
        """Mark every notification of the caller read; how many were unread."""
        response = self.request("POST", "/v1/inbox/read-all", idempotent=True, token=user_token)
        return ReadAll.model_validate_json(response.content).marked
