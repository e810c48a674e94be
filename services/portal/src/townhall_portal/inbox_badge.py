"""The inbox link and its unread badge in every page's header.

The notifications service is optional for a page: when it is not configured, down or
refusing, the header shows no badge and the page renders as usual (the inbox page itself
says what is wrong).
"""

from __future__ import annotations

import structlog
from fastapi import Request
from pydantic import ValidationError

from townhall_clients import ServiceUnavailable, UnexpectedResponse

from .templating import TEMPLATES
from .web import Viewer, clients

log = structlog.get_logger("townhall.portal")


def inbox_configured(request: Request) -> bool:
    """Whether the portal knows a notifications service."""
    return clients(request).notifications is not None


def inbox_unread(request: Request, viewer: Viewer | None) -> int | None:
    """The viewer's unread count, or None when there is none to show."""
    client = clients(request).notifications
    if client is None or viewer is None:
        return None
    try:
        return client.unread_count(user_token=viewer.token)
    except (ServiceUnavailable, UnexpectedResponse, ValidationError) as exc:
        log.info("inbox_badge_unavailable", error=str(exc))
        return None


TEMPLATES.env.globals["inbox_configured"] = inbox_configured
TEMPLATES.env.globals["inbox_unread"] = inbox_unread
