"""The inbox: the signed-in user's notifications, newest first; mark read, mark all read.

The notifications service may be missing (not configured) or down: the page then says
so, with the statuses of an outage, and the rest of the portal is unaffected.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from townhall_clients import NotificationsClient, ServiceUnavailable, UnexpectedResponse

from .. import inbox_badge  # noqa: F401  (the header's badge, registered with the templates)
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render, safe_next

router = APIRouter(tags=["employees"])
log = structlog.get_logger("townhall.portal")

NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DONE = {"read": "inbox.done_read", "all_read": "inbox.done_all_read"}


class InboxUnavailable(Exception):
    """The notifications service cannot answer now (or is not configured: `status` 200)."""

    def __init__(self, message_key: str, status_code: int) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.status_code = status_code


def _client(clients: ClientsDep) -> NotificationsClient:
    if clients.notifications is None:
        raise InboxUnavailable("inbox.not_configured", 200)
    return clients.notifications


def _failed(exc: Exception) -> InboxUnavailable:
    """What the page says about a call that failed: only the user's own input is a 4xx."""
    if isinstance(exc, UnexpectedResponse) and exc.status_code == 404:
        return InboxUnavailable("inbox.not_found", 404)
    if isinstance(exc, UnexpectedResponse) and exc.status_code in (400, 422):
        return InboxUnavailable("inbox.bad_cursor", 400)
    log.warning("inbox_unavailable", error=str(exc))
    return InboxUnavailable("inbox.unavailable", 503)


def _page(request: Request, viewer: Viewer, unavailable: InboxUnavailable) -> Response:
    return render(
        request,
        "inbox.html",
        {"inbox": None, "message_key": unavailable.message_key},
        status_code=unavailable.status_code,
        viewer=viewer,
    )


@router.get("/inbox", summary="The user's notifications, newest first")
def inbox(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    cursor: Annotated[str, Query(max_length=512)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    try:
        page = _client(clients).inbox(user_token=viewer.token, cursor=cursor or None)
    except InboxUnavailable as exc:
        return _page(request, viewer, exc)
    except (ServiceUnavailable, UnexpectedResponse, ValidationError) as exc:
        return _page(request, viewer, _failed(exc))
    context = {"inbox": page, "notice": DONE.get(done), "message_key": None}
    return render(request, "inbox.html", context, viewer=viewer)


@router.post("/inbox/read-all", summary="Mark every notification read")
def read_all(
    request: Request, viewer: CurrentViewer, clients: ClientsDep, _csrf: CsrfChecked
) -> Response:
    try:
        _client(clients).mark_all_read(user_token=viewer.token)
    except InboxUnavailable as exc:
        return _page(request, viewer, exc)
    except (ServiceUnavailable, UnexpectedResponse, ValidationError) as exc:
        return _page(request, viewer, _failed(exc))
    return RedirectResponse("/inbox?done=all_read", status_code=303)


@router.post("/inbox/{notification_id}/read", summary="Mark one notification read")
def read_one(
    request: Request,
    notification_id: NotificationId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    _csrf: CsrfChecked,
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Marks it read, then goes on to `next` (its post) when given, else back to the inbox."""
    try:
        _client(clients).mark_read(user_token=viewer.token, notification_id=notification_id)
    except InboxUnavailable as exc:
        return _page(request, viewer, exc)
    except (ServiceUnavailable, UnexpectedResponse, ValidationError) as exc:
        return _page(request, viewer, _failed(exc))
    target = safe_next(next_path) if next_path else "/inbox?done=read"
    return RedirectResponse(target, status_code=303)
