"""Changing one's mind: edit or delete one's own posts and comments (publishing keeps the
history), edit and resubmit a rejected official post, take a like or an endorsement back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_contracts.publishing.engagement import CommentUpdate
from townhall_contracts.publishing.posts import PostKind, PostRead, PostUpdate, SubmitRequest
from townhall_contracts.readers import PostState
from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, checked, future_instant, refusals
from ..people import unknown_groups
from ..times import local_input
from ..web import (
    ClientsDep,
    CsrfChecked,
    CurrentViewer,
    Viewer,
    refused_page,
    render_form,
    time_zone,
)
from .media import FILE_ERRORS
from .official_compose import directory_of, picker, typed_groups
from .posts import post_page_with

router = APIRouter(tags=["employees"])

# A rejected official post goes back to its approvers once edited; a social post stays out.
RESUBMITTED = (PostState.REJECTED, PostState.DRAFT)


def _editable(post: PostRead, viewer: Viewer) -> bool:
    if post.author_id != viewer.subject:
        return False
    if post.kind is PostKind.OFFICIAL:
        return post.state in RESUBMITTED
    return post.state is PostState.PUBLISHED


def _edit_page(
    request: Request,
    viewer: Viewer,
    post: PostRead,
    form: FormState | None = None,
    *,
    file_error: str | None = None,
    notice: str | None = None,
) -> Response:
    if not _editable(post, viewer):
        return refused_page(request, viewer, "refusal.form")
    zone = time_zone(request)
    form = form or FormState(
        values={
            "title": post.title,
            "body": post.body,
            "publish_at": local_input(post.scheduled_at, zone),
            "audience_groups": ", ".join(post.audience_groups),
        }
    )
    if file_error:
        form.errors = {**form.errors, "file": file_error}
    context: dict[str, object] = {"post": post, "notice": notice}
    if post.kind is PostKind.OFFICIAL:
        groups = directory_of(request).groups(token=viewer.token)
        context["audience"] = picker(groups, typed_groups(form.values["audience_groups"]))
    return render_form(request, "edit.html", form, context, viewer=viewer)


@router.get("/posts/{post_id}/edit", summary="Edit one's own post")
def edit_post(
    request: Request,
    post_id: ResourceId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    file_error: Annotated[str | None, Query()] = None,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    post = clients.publishing.post(post_id, user_token=viewer.token)
    # Only the page's own words: a message key from the address is never shown as given.
    error = file_error if file_error in FILE_ERRORS else None
    notice = {"attached": "media.attached", "detached": "media.detached"}.get(done or "")
    return _edit_page(request, viewer, post, file_error=error, notice=notice)


@router.post("/posts/{post_id}/edit", summary="Save an edit (and resubmit a rejected post)")
def edit_post_submit(
    request: Request,
    post_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    publish_at: Annotated[str, Form()] = "",
    # An official post's groups, ticked or typed, as on the compose page.
    audience_groups: Annotated[list[str] | None, Form()] = None,
    tz: Annotated[str, Form(max_length=64)] = "",
    intent: Annotated[str, Form()] = "submit",
) -> Response:
    post = clients.publishing.post(post_id, user_token=viewer.token)
    if not _editable(post, viewer):
        return refused_page(request, viewer, "refusal.form")
    official = post.kind is PostKind.OFFICIAL
    groups = typed_groups(",".join(audience_groups or []))
    values = {
        "title": title,
        "body": body,
        "publish_at": publish_at,
        "audience_groups": ", ".join(groups),
    }
    # An official draft may be saved and left for later rather than submitted.
    submit = official and not (intent == "draft" and post.state is PostState.DRAFT)
    try:
        at = future_instant(publish_at, zone=time_zone(request, tz)) if official else None
        fields: dict[str, object] = {"title": title, "body": body}
        if official:
            _refuse_unknown(request, viewer, groups, values)
            fields["audience_groups"] = groups
        edit = checked(PostUpdate, fields)
        with refusals():
            clients.publishing.edit_post(post_id, edit, user_token=viewer.token)
            if submit:
                submission = SubmitRequest(publish_at=at) if at else None
                clients.publishing.submit(post_id, submission, user_token=viewer.token)
    except FormRefused as refused:
        return _edit_page(request, viewer, post, refused.state(values))
    if official:
        done = "submitted" if submit else "drafted"
        return RedirectResponse(f"/official/{post_id}?done={done}", status_code=303)
    return RedirectResponse(f"/posts/{post_id}?done=edited", status_code=303)


def _refuse_unknown(
    request: Request, viewer: Viewer, groups: list[str], values: dict[str, str]
) -> None:
    """Refuse, as the compose page does, an audience naming a group the directory does
    not know: it would reach nobody through it. `values` keeps the names for the page."""
    unknown = unknown_groups(directory_of(request), groups, token=viewer.token)
    if unknown:
        values["unknown_groups"] = ", ".join(unknown)
        raise FormRefused(errors={"audience_groups": "audience.unknown_groups"})


def _change(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    post_id: str,
    change: tuple[str, str],
    *,
    then: str,
    **fields: str,
) -> Response:
    """Send `change` (a method and a path publishing's client has no method for) with the
    user's token and `fields` as its JSON body, then go to `then`; a refusal shows the
    post again with it."""
    method, path = change
    try:
        with refusals():
            clients.publishing.request(
                method,
                path,
                idempotent=False,
                token=viewer.token,
                expected=(200, 204),
                **({"json": fields} if fields else {}),
            )
    except FormRefused as refused:
        return _post_again(request, viewer, clients, post_id, refused)
    return RedirectResponse(then, status_code=303)


def _post_again(
    request: Request, viewer: Viewer, clients: ClientsDep, post_id: str, refused: FormRefused
) -> Response:
    return post_page_with(request, viewer, clients, post_id, refused.state())


@router.post("/posts/{post_id}/delete", summary="Delete one's own post")
def delete_post(
    request: Request,
    post_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
) -> Response:
    change = ("DELETE", f"/v1/posts/{post_id}")
    return _change(request, viewer, clients, post_id, change, then="/?done=deleted")


@router.post("/posts/{post_id}/comments/{comment_id}/edit", summary="Edit one's own comment")
def edit_comment(
    request: Request,
    post_id: ResourceId,
    comment_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    body: Annotated[str, Form()] = "",
) -> Response:
    try:
        update = checked(CommentUpdate, {"body": body})
    except FormRefused as refused:
        return _post_again(request, viewer, clients, post_id, refused)
    change = ("PATCH", f"/v1/posts/{post_id}/comments/{comment_id}")
    then = f"/posts/{post_id}#c-{comment_id}"
    return _change(request, viewer, clients, post_id, change, then=then, body=update.body)


@router.post("/posts/{post_id}/comments/{comment_id}/delete", summary="Delete one's comment")
def delete_comment(
    request: Request,
    post_id: ResourceId,
    comment_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
) -> Response:
    change = ("DELETE", f"/v1/posts/{post_id}/comments/{comment_id}")
    then = f"/posts/{post_id}?done=comment_deleted#comments"
    return _change(request, viewer, clients, post_id, change, then=then)


@router.post("/posts/{post_id}/unendorse", summary="Withdraw an endorsement")
def unendorse(
    request: Request,
    post_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
) -> Response:
    change = ("DELETE", f"/v1/posts/{post_id}/endorse")
    return _change(
        request, viewer, clients, post_id, change, then=f"/posts/{post_id}?done=unendorsed"
    )
