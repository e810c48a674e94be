"""Communications staff and approvers: official drafts, their status, and the workflow.

Every refusal shows policy's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.engagement import AcknowledgementReport
from townhall_contracts.publishing.posts import (
    PostCreate,
    PostKind,
    PostRead,
    PublishRequest,
    ReasonRequest,
    RejectRequest,
    SubmitRequest,
)
from townhall_contracts.readers import PostState
from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, checked, future_instant, refusals
from ..people import Directory, unknown_groups
from ..permissions import allowed_spaces
from ..web import (
    ClientsDep,
    CsrfChecked,
    CurrentViewer,
    Viewer,
    refused_page,
    render,
    render_form,
    time_zone,
)
from ..web import (
    clients as clients_of,
)

router = APIRouter(tags=["staff"])

Shown = TypeVar("Shown")


def _my_official_posts(clients: ClientsDep, viewer: Viewer) -> list[PostRead]:
    results = clients.search.search(
        user_token=viewer.token, author=viewer.subject, kind="official", limit=20
    )
    posts = []
    for hit in results.hits:
        if hit.doc_type != "post":
            continue
        try:
            posts.append(clients.publishing.post(hit.id, user_token=viewer.token))
        except UnexpectedResponse as exc:
            if exc.status_code != 404:
                raise
    return posts


def _official_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    notice: str | None = None,
) -> Response:
    if "post.official" not in viewer.capabilities:
        return refused_page(request, viewer, "refusal.post.official")
    form = form or FormState(values={"space_id": "general"})
    spaces = allowed_spaces(
        clients, viewer, clients.publishing.spaces(user_token=viewer.token), "post.official"
    )
    return render_form(
        request,
        "official.html",
        form,
        {
            "spaces": spaces,
            "posts": _my_official_posts(clients, viewer),
            "notice": notice,
        },
        viewer=viewer,
    )


@router.get("/official", summary="Draft official posts and follow their status")
def official(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    notice = "official.retracted_notice" if done == "retracted" else None
    return _official_page(request, viewer, clients, notice=notice)


def _groups(typed: str) -> list[str]:
    return [g.strip() for g in typed.split(",") if g.strip()]


def _draft(
    values: dict[str, str], zone: ZoneInfo, unknown: list[str]
) -> tuple[PostCreate, SubmitRequest | None]:
    """The official post the form describes, and when to publish it once approved."""
    # Every field's error at once: the time to publish at and the audience are checked
    # here, the rest by publishing's model.
    late: dict[str, str] = {}
    try:
        publish_at = future_instant(values["publish_at"], zone=zone)
    except FormRefused as refused:
        publish_at, late = None, refused.errors
    if unknown:
        late["audience_groups"] = "audience.unknown_groups"
    groups = _groups(values["audience_groups"])
    fields = {
        "space_id": values["space_id"],
        "kind": PostKind.OFFICIAL,
        "title": values["title"],
        "body": values["body"],
        "audience_groups": groups,
        "requires_acknowledgement": bool(values["requires_acknowledgement"]),
    }
    try:
        post = checked(PostCreate, fields)
    except FormRefused as refused:
        raise FormRefused(errors={**refused.errors, **late}, refused=refused.refused) from None
    if late:
        raise FormRefused(errors=late)
    return post, SubmitRequest(publish_at=publish_at) if publish_at else None


@router.post("/official", summary="Save an official draft and submit it for approval")
def official_submit(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    audience_groups: Annotated[str, Form()] = "",
    publish_at: Annotated[str, Form()] = "",
    requires_acknowledgement: Annotated[str, Form()] = "",
    tz: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    values = {
        "space_id": space_id,
        "title": title,
        "body": body,
        "audience_groups": audience_groups,
        "publish_at": publish_at,
        "requires_acknowledgement": requires_acknowledgement,
    }
    zone = time_zone(request, tz)
    try:
        unknown = unknown_groups(_directory(request), _groups(audience_groups), token=viewer.token)
        values["unknown_groups"] = ", ".join(unknown)
        post, submission = _draft(values, zone, unknown)
        with refusals():
            draft = clients.publishing.create_post(post, user_token=viewer.token)
            clients.publishing.submit(draft.id, submission, user_token=viewer.token)
    except FormRefused as refused:
        return _official_page(request, viewer, clients, refused.state(values))
    return RedirectResponse(f"/official/{draft.id}?done=submitted", status_code=303)


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
    notice = {"submitted": "official.submitted", "done": "grants.done"}.get(done or "")
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


@router.post("/official/{post_id}/{action}", summary="Publish, approve, reject or retract")
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
    if action not in ("publish", "approve", "reject", "retract"):
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
