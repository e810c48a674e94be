"""Communications staff write an official post: its audience chosen from the directory's
groups with how many people each reaches, a preview as readers will see it, saved as a
draft to come back to, or submitted for approval."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_contracts.policy import NamedSubject
from townhall_contracts.publishing.markdown import render_markdown
from townhall_contracts.publishing.posts import PostCreate, PostKind, PostRead, SubmitRequest

from ..forms import FormRefused, FormState, checked, future_instant, refusals
from ..people import Directory, unknown_groups
from ..permissions import allowed_spaces
from ..web import (
    ClientsDep,
    CsrfChecked,
    CurrentViewer,
    Viewer,
    refused_page,
    render_form,
    time_zone,
)

router = APIRouter(tags=["staff"])

INTENTS = ("preview", "draft", "submit")
NOTICES = {"retracted": "official.retracted_notice", "withdrawn": "official.withdrawn_notice"}


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


def typed_groups(typed: str) -> list[str]:
    return [g.strip() for g in typed.split(",") if g.strip()]


def picker(groups: list[NamedSubject], chosen: list[str]) -> dict[str, object]:
    """The audience picker's state: the groups offered, those ticked, the ids typed besides
    them, and the most people the ticked ones reach (someone in two groups counts twice:
    publishing reaches them once)."""
    offered = {g.id for g in groups}
    ticked = [g for g in chosen if g in offered]
    return {
        "groups": groups,
        "ticked": set(ticked),
        "typed": ", ".join(g for g in chosen if g not in offered),
        "total": sum(g.members or 0 for g in groups if g.id in ticked),
    }


def official_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    notice: str | None = None,
    preview: bool = False,
) -> Response:
    if "post.official" not in viewer.capabilities:
        return refused_page(request, viewer, "refusal.post.official")
    form = form or FormState(values={"space_id": "general"})
    spaces = allowed_spaces(
        clients, viewer, clients.publishing.spaces(user_token=viewer.token), "post.official"
    )
    groups = directory_of(request).groups(token=viewer.token)
    chosen = typed_groups(form.values.get("audience_groups") or "")
    return render_form(
        request,
        "official.html",
        form,
        {
            "spaces": spaces,
            "posts": _my_official_posts(clients, viewer),
            "notice": notice,
            "audience": picker(groups, chosen),
            # By the renderer publishing makes `body_html` with: as readers will see it.
            "preview_html": render_markdown(form.values["body"]) if preview else None,
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
    return official_page(request, viewer, clients, notice=NOTICES.get(done or ""))


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
    fields = {
        "space_id": values["space_id"],
        "kind": PostKind.OFFICIAL,
        "title": values["title"],
        "body": values["body"],
        "audience_groups": typed_groups(values["audience_groups"]),
        "requires_acknowledgement": bool(values["requires_acknowledgement"]),
    }
    try:
        post = checked(PostCreate, fields)
    except FormRefused as refused:
        raise FormRefused(errors={**refused.errors, **late}, refused=refused.refused) from None
    if late:
        raise FormRefused(errors=late)
    return post, SubmitRequest(publish_at=publish_at) if publish_at else None


@router.post("/official", summary="Preview an official post, save it as a draft, or submit it")
def official_submit(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    # The groups ticked in the picker and the field of ids typed besides them.
    audience_groups: Annotated[list[str] | None, Form()] = None,
    publish_at: Annotated[str, Form()] = "",
    requires_acknowledgement: Annotated[str, Form()] = "",
    tz: Annotated[str, Form(max_length=64)] = "",
    intent: Annotated[str, Form()] = "submit",
) -> Response:
    values = {
        "space_id": space_id,
        "title": title,
        "body": body,
        "audience_groups": ", ".join(typed_groups(",".join(audience_groups or []))),
        "publish_at": publish_at,
        "requires_acknowledgement": requires_acknowledgement,
    }
    if intent not in INTENTS:
        intent = "submit"
    try:
        unknown = unknown_groups(
            directory_of(request), typed_groups(values["audience_groups"]), token=viewer.token
        )
        values["unknown_groups"] = ", ".join(unknown)
        post, submission = _draft(values, time_zone(request, tz), unknown)
        if intent == "preview":
            return official_page(request, viewer, clients, FormState(values), preview=True)
        with refusals():
            draft = clients.publishing.create_post(post, user_token=viewer.token)
            if intent == "submit":
                clients.publishing.submit(draft.id, submission, user_token=viewer.token)
    except FormRefused as refused:
        return official_page(request, viewer, clients, refused.state(values))
    done = "submitted" if intent == "submit" else "drafted"
    return RedirectResponse(f"/official/{draft.id}?done={done}", status_code=303)


def directory_of(request: Request) -> Directory:
    return request.app.state.directory  # type: ignore[no-any-return]
