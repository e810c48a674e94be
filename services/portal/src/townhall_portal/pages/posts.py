"""A post's page and what employees do there: write, comment, acknowledge, react, report."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.engagement import (
    CommentCreate,
    CommentRead,
)
from townhall_contracts.publishing.markdown import render_markdown
from townhall_contracts.publishing.moderation import ModerationRequest, ReportCreate
from townhall_contracts.publishing.posts import PostCreate, PostKind, VouchRequest
from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, checked, refusals
from ..permissions import allowed_spaces
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, refused_page, render, render_form
from .media import attach_all, chosen, edit_page_after
from .reactions import KINDS, reaction_kind, set_reaction
from .reading import MISSING

router = APIRouter(tags=["employees"])

# The limits the compose page tells of; publishing's `PostCreate` enforces them.
LIMITS = {"title": 200, "body": 20000}


def _compose_page(
    request: Request, viewer: Viewer, clients: ClientsDep, form: FormState, *, preview: bool = False
) -> Response:
    communities = [
        s for s in clients.publishing.spaces(user_token=viewer.token) if s.kind == "community"
    ]
    spaces = allowed_spaces(clients, viewer, communities, "post.social")
    if not spaces:
        return refused_page(request, viewer, "refusal.post.social")
    # A preview of text not yet posted, by the renderer publishing makes `body_html` with.
    preview_html = render_markdown(form.values["body"]) if preview else None
    return render_form(
        request,
        "compose.html",
        form,
        {
            "spaces": spaces,
            "preview": preview,
            "preview_html": preview_html,
            "limits": LIMITS,
        },
        viewer=viewer,
    )


@router.get("/compose", summary="Write a social post")
def compose(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space: Annotated[str, Query()] = "",
) -> Response:
    form = FormState(values={"space_id": space, "title": "", "body": ""})
    return _compose_page(request, viewer, clients, form)


@router.post("/compose", summary="Preview or publish a social post")
def compose_submit(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    intent: Annotated[str, Form()] = "publish",
    image: Annotated[UploadFile | None, File()] = None,
    image_description: Annotated[str, Form(max_length=500)] = "",
    document: Annotated[UploadFile | None, File()] = None,
) -> Response:
    values = {"space_id": space_id, "title": title, "body": body}
    try:
        post = checked(PostCreate, {**values, "kind": PostKind.SOCIAL})
        if intent == "preview":
            return _compose_page(request, viewer, clients, FormState(values), preview=True)
        with refusals():
            created = clients.publishing.create_post(post, user_token=viewer.token)
    except FormRefused as refused:
        return _compose_page(request, viewer, clients, refused.state(values))
    files = [chosen(image, image_description), chosen(document)]
    try:
        attach_all(clients, viewer, created.id, [f for f in files if f is not None])
    except FormRefused as refused:
        # The post is published; the author is shown why the file was not attached.
        return edit_page_after(created.id, refused)
    return RedirectResponse(f"/posts/{created.id}?done=published", status_code=303)


def _comments(clients: ClientsDep, viewer: Viewer, post_id: str) -> list[CommentRead]:
    try:
        return clients.publishing.comments(post_id, user_token=viewer.token)
    except UnexpectedResponse as exc:
        if exc.status_code in MISSING:
            return []
        raise


def _post_page(
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
    comments = _comments(clients, viewer, post_id)
    may = _allowed_here(clients, viewer, post.space_id)
    # Moderators see what moderators already did here before they act again.
    history = (
        clients.publishing.moderation_history(post_id, user_token=viewer.token)
        if "moderate" in may
        else None
    )
    return render_form(
        request,
        "post.html",
        form,
        {
            "post": post,
            "comments": comments,
            "may": may,
            "moderation_history": history,
            "notice": notice,
            "reaction_kinds": KINDS,
        },
        viewer=viewer,
    )


post_page_with = _post_page

SPACE_ACTIONS = ("answer.official", "endorse", "moderate")


def _allowed_here(clients: ClientsDep, viewer: Viewer, space_id: str) -> frozenset[str]:
    """Which of the official voice's and moderators' actions policy allows here."""
    if not viewer.capabilities & set(SPACE_ACTIONS):
        return frozenset()
    body = {
        "decisions": [
            {"subject": viewer.subject, "action": action, "domain": f"space:{space_id}"}
            for action in SPACE_ACTIONS
        ]
    }
    try:
        answer = clients.policy.post_json("/v1/decisions/batch", user_token=viewer.token, body=body)
    except UnexpectedResponse:
        return frozenset()
    return frozenset(d["action"] for d in answer.get("decisions", []) if d.get("allowed"))


NOTICES = {
    "published": "compose.published",
    "acknowledged": "post.acknowledged",
    "reported": "post.reported",
    "submitted": "official.submitted",
    "done": "grants.done",
    "endorsed": "grants.done",
    "edited": "edit.saved",
    "comment_deleted": "delete.comment_done",
    "unendorsed": "post.unendorsed",
}


@router.get("/posts/{post_id}", summary="A post and its comments")
def post_page(
    request: Request,
    post_id: ResourceId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    return _post_page(request, viewer, clients, post_id, notice=NOTICES.get(done or ""))


@router.post("/posts/{post_id}/comments", summary="Comment (or answer officially)")
def comment(
    request: Request,
    post_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    body: Annotated[str, Form()] = "",
    official: Annotated[str, Form()] = "",
    authority: Annotated[str, Form()] = "",
    post_revision: Annotated[str, Form()] = "",
) -> Response:
    # The revision the page showed: publishing refuses the comment if the post was edited
    # since, so an official answer never lands under a text its author did not read.
    fields = {"body": body, "post_revision": _revision(post_revision)}
    if official:
        fields |= {"official": True, "authority": authority.strip() or None}
    try:
        answer = checked(CommentCreate, fields)
        with refusals():
            written = clients.publishing.comment(post_id, answer, user_token=viewer.token)
    except FormRefused as refused:
        form = refused.state({"body": body}, shown={"body"})
        return _post_page(request, viewer, clients, post_id, form)
    # Focus lands on the comment just written.
    return RedirectResponse(f"/posts/{post_id}#c-{written.id}", status_code=303)


def _revision(value: str) -> int | None:
    """A revision number from a form field, or None for anything else."""
    return int(value) if re.fullmatch(r"[1-9][0-9]{0,8}", value) else None


# Actions on a post, each a small form, and the notice the post's page shows after it.
NOTICE_AFTER = {
    "acknowledge": "acknowledged",
    "react": None,
    "report": "reported",
    "endorse": "endorsed",
    # Moderators, on a hidden post's page.
    "restore": "done",
}


def _act(
    clients: ClientsDep, viewer: Viewer, post_id: str, action: str, fields: dict[str, str]
) -> None:
    """Send one of the post's actions to publishing; `FormRefused` when it is refused."""
    publishing, token = clients.publishing, viewer.token
    if action == "report":
        report = checked(ReportCreate, {"reason": fields["reason"]})
        with refusals():
            publishing.report(post_id, report, user_token=token)
        return
    if action == "restore":
        # The restore form's reason has a field of its own on the page.
        named = {"reason": "restore_reason"}
        restore = checked(ModerationRequest, {"reason": fields["restore_reason"]}, named=named)
        with refusals():
            publishing.restore(post_id, restore, user_token=token)
        return
    with refusals():
        if action == "acknowledge":
            publishing.acknowledge(post_id, user_token=token)
        elif action == "react":
            kind = reaction_kind(fields["kind"])
            if kind is None:
                raise FormRefused(refused="reaction.unknown")
            set_reaction(clients, viewer, post_id, kind, on=fields["like"] != "off")
        else:
            # The revision the page showed: refused if the post was edited since.
            shown = _revision(fields["revision"])
            vouch = VouchRequest(revision=shown) if shown is not None else None
            publishing.endorse(post_id, vouch, user_token=token)


@router.post("/posts/{post_id}/{action}", summary="Acknowledge, react, report, endorse or restore")
def post_action(
    request: Request,
    post_id: ResourceId,
    action: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    reason: Annotated[str, Form()] = "",
    restore_reason: Annotated[str, Form()] = "",
    revision: Annotated[str, Form()] = "",
    like: Annotated[str, Form()] = "on",
    kind: Annotated[str, Form(max_length=20)] = "like",
) -> Response:
    if action not in NOTICE_AFTER:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    fields = {
        "reason": reason,
        "restore_reason": restore_reason,
        "revision": revision,
        "like": like,
        "kind": kind,
    }
    try:
        _act(clients, viewer, post_id, action, fields)
    except FormRefused as refused:
        return _post_page(request, viewer, clients, post_id, refused.state())
    notice = NOTICE_AFTER[action]
    # Back on the post, focus goes to the notice of what was done, or to the reaction pressed.
    where = f"?done={notice}" if notice else f"#react-{kind if kind in KINDS else 'like'}"
    return RedirectResponse(f"/posts/{post_id}{where}", status_code=303)
