"""Communications staff and approvers: an official post's status, and the workflow.

Every refusal shows policy's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_contracts.publishing.engagement import AcknowledgementReport
from townhall_contracts.publishing.posts import (
    PublishRequest,
    ReasonRequest,
    RejectRequest,
)
from townhall_contracts.readers import PostState
from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, checked, future_instant, refusals
from ..people import Directory, unknown_groups
from ..web import (
    ClientsDep,
    CsrfChecked,
    CurrentViewer,
    Viewer,
    render,
    render_form,
    time_zone,
)
from ..web import (
    clients as clients_of,
)

router = APIRouter(tags=["staff"])

Shown = TypeVar("Shown")


def _directory(request: Request) -> Directory:
    return request.app.state.directory  # type: ignore[no-any-return]


def _if_allowed(read: Callable[[], Shown]) -> Shown | None:
    """What `read` answers, shown when the user may see it; None when publishing refuses."""
    try:
        with refusals():
            return read()
    except FormRefused:
        return None


def _tracking_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    post_id: str,
    form: FormState | None = None,
    *,
    notice: str | None = None,
) -> Response:
    form = form or FormState()
    post = clients.publishing.post(post_id, user_token=viewer.token)
    report: AcknowledgementReport | None = None
    if post.requires_acknowledgement and post.state is PostState.PUBLISHED:
        report = _if_allowed(
            lambda: clients.publishing.acknowledgements(post_id, user_token=viewer.token)
        )
    history = _if_allowed(lambda: clients.publishing.history(post_id, user_token=viewer.token))
    return render_form(
        request,
        "official_post.html",
        form,
        {
            "post": post,
            "report": report,
            "steps": history.steps if history else [],
            "notice": notice,
        },
        viewer=viewer,
    )


@router.get("/official/{post_id}", summary="An official post's status and acknowledgements")
def official_post(
    request: Request,
    post_id: ResourceId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    notice = {
        "submitted": "official.submitted",
        "drafted": "official.drafted",
        "withdrawn": "official.withdrawn_notice",
        "done": "grants.done",
    }.get(done or "")
    return _tracking_page(request, viewer, clients, post_id, notice=notice)


def _step(
    request: Request, viewer: Viewer, post_id: str, action: str, fields: dict[str, str]
) -> None:
    """One step of the workflow; `FormRefused` when the form or publishing refuses it."""
    publishing, token = clients_of(request).publishing, viewer.token
    if action == "approve":
        # An audience naming a group that does not exist would publish to nobody through
        # it: never approved, whoever drafted it and however it got here.
        post = publishing.post(post_id, user_token=token)
        if unknown_groups(_directory(request), post.audience_groups, token=token):
            raise FormRefused(refused="approvals.blocked", status_code=409)
        with refusals():
            publishing.approve(post_id, user_token=token)
    elif action == "reject":
        rejection = checked(RejectRequest, {"reason": fields["reason"]})
        with refusals():
            publishing.reject(post_id, rejection, user_token=token)
    elif action == "withdraw":
        with refusals():
            publishing.withdraw(post_id, user_token=token)
    elif action == "retract":
        retraction = checked(ReasonRequest, {"reason": fields["reason"]})
        with refusals():
            publishing.retract(post_id, retraction, user_token=token)
    else:
        at = future_instant(fields["at"], name="at", zone=time_zone(request, fields["tz"]))
        with refusals():
            publishing.publish(post_id, PublishRequest(at=at) if at else None, user_token=token)


# What the page says of a bad field of the step's form (they are shown above the page).
STEP_CHECKS = {"reason": "approvals.reason_required", "at": "official.publish_at_invalid"}


@router.post(
    "/official/{post_id}/{action}", summary="Publish, approve, reject, withdraw or retract"
)
def official_action(
    request: Request,
    post_id: ResourceId,
    action: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
    tz: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if action not in ("publish", "approve", "reject", "withdraw", "retract"):
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    try:
        _step(request, viewer, post_id, action, {"reason": reason, "at": at, "tz": tz})
    except FormRefused as refused:
        form = refused.state()
        form.errors = {name: STEP_CHECKS.get(name, error) for name, error in form.errors.items()}
        if back == "approvals":
            return _approvals_page(request, viewer, clients, form)
        return _tracking_page(request, viewer, clients, post_id, form)
    if back == "approvals":
        return RedirectResponse("/approvals?done=done", status_code=303)
    if action == "retract":
        # A retracted post is kept for compliance only: its author no longer reads it.
        return RedirectResponse("/official?done=retracted", status_code=303)
    if action == "withdraw":
        return RedirectResponse(f"/official/{post_id}?done=withdrawn", status_code=303)
    return RedirectResponse(f"/official/{post_id}?done=done", status_code=303)


def _approvals_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    notice: str | None = None,
) -> Response:
    form = form or FormState()
    queue = clients.publishing.review_queue(user_token=viewer.token)
    # Only what awaits this approver: submitted by someone else.
    waiting = [
        p for p in queue.items if p.state is PostState.SUBMITTED and p.author_id != viewer.subject
    ]
    directory = _directory(request)
    groups = [g for p in waiting for g in p.audience_groups]
    unknown = set(unknown_groups(directory, groups, token=viewer.token)) if groups else set()
    blocked = {p.id for p in waiting if unknown & set(p.audience_groups)}
    return render_form(
        request,
        "approvals.html",
        form,
        {"posts": waiting, "blocked": blocked, "notice": notice},
        viewer=viewer,
    )


@router.get("/approvals", summary="Official posts waiting for approval")
def approvals(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    return _approvals_page(request, viewer, clients, notice="grants.done" if done else None)
