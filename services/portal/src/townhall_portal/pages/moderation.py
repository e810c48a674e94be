"""Moderators: the report queue; hide, restore or dismiss, always with a reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_contracts.publishing.moderation import ModerationRequest
from townhall_contracts.publishing.posts import ReasonRequest
from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, checked, refusals
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render, render_form
from .moderation_cards import cards

router = APIRouter(tags=["staff"])


@router.get("/moderation", summary="The report queue")
def moderation(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    return _moderation_page(request, viewer, clients, notice="grants.done" if done else None)


def _moderation_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    notice: str | None = None,
) -> Response:
    form = form or FormState()
    reports = clients.publishing.report_queue(user_token=viewer.token)
    return render_form(
        request,
        "moderation.html",
        form,
        {"cards": cards(clients, viewer, reports), "notice": notice},
        viewer=viewer,
    )


def _moderate(
    clients: ClientsDep, viewer: Viewer, post_id: str, action: str, fields: dict[str, str]
) -> None:
    """Hide, restore or dismiss; `FormRefused` when the form or publishing refuses it."""
    publishing, token = clients.publishing, viewer.token
    if action == "dismiss":
        dismissal = checked(ReasonRequest, {"reason": fields["reason"]})
        with refusals():
            publishing.dismiss_report(fields["report_id"], dismissal, user_token=token)
        return
    step = checked(
        ModerationRequest, {"reason": fields["reason"], "comment_id": fields["comment_id"] or None}
    )
    with refusals():
        if action == "hide":
            publishing.hide(post_id, step, user_token=token)
        else:
            publishing.restore(post_id, step, user_token=token)


@router.post("/moderation/{post_id}/{action}", summary="Hide or restore, with a reason")
def moderate(
    request: Request,
    post_id: ResourceId,
    action: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    reason: Annotated[str, Form()] = "",
    comment_id: Annotated[str, Form()] = "",
    report_id: Annotated[str, Form()] = "",
) -> Response:
    if action not in ("hide", "restore", "dismiss"):
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    fields = {"reason": reason, "comment_id": comment_id, "report_id": report_id}
    try:
        _moderate(clients, viewer, post_id, action, fields)
    except FormRefused as refused:
        # The error goes beside the reason field of the action that was refused.
        failed = {"report_id": report_id, "action": action}
        return _moderation_page(request, viewer, clients, refused.state(failed))
    return RedirectResponse("/moderation?done=1", status_code=303)
