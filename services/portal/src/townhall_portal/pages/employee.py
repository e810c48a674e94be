"""What every employee uses: feed, spaces, posts, comments, search."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_platform.params import ResourceId

from ..web import (
    ClientsDep,
    CsrfChecked,
    CurrentViewer,
    Viewer,
    field_errors,
    refusal,
    render,
)

router = APIRouter(tags=["employees"])

TITLE_MAX = 200
BODY_MAX = 20000
COMMENT_MAX = 5000
# Endpoints that arrived after the walking slice answer 404/405 on an older publishing.
MISSING = (404, 405)


def _validate_post(title: str, body: str, space_id: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not space_id:
        errors["space_id"] = "compose.required"
    if not title.strip():
        errors["title"] = "compose.required"
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = "compose.too_long"
    if not body.strip():
        errors["body"] = "compose.required"
    elif len(body.strip()) > BODY_MAX:
        errors["body"] = "compose.too_long"
    return errors


@router.get("/", summary="Home feed")
def feed(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    page = clients.publishing.feed(user_token=viewer.token, cursor=cursor, limit=20)
    items = page.get("items", [])
    # Pinned and official first (publishing already puts official first; keep its order).
    items = sorted(items, key=lambda p: (not p.get("pinned"), p.get("kind") != "official"))
    return render(
        request,
        "feed.html",
        {"posts": items, "next_cursor": page.get("next_cursor")},
        viewer=viewer,
    )


@router.get("/spaces", summary="The spaces one can see")
def spaces(request: Request, viewer: CurrentViewer, clients: ClientsDep) -> Response:
    items = clients.publishing.spaces(user_token=viewer.token)
    return render(request, "spaces.html", {"spaces": items}, viewer=viewer)


def _space_posts(clients: ClientsDep, viewer: Viewer, space_id: str) -> list[dict[str, Any]]:
    try:
        return list(
            clients.publishing.space_posts(space_id, user_token=viewer.token).get("items", [])
        )
    except UnexpectedResponse as exc:
        if exc.status_code not in MISSING:
            raise
    # An older publishing has no listing per space: search lists a space's readable posts.
    results = clients.search.search(user_token=viewer.token, space=space_id, limit=50)
    return [
        {
            "id": hit.id,
            "title": hit.title,
            "kind": hit.kind,
            "space_id": hit.space_id,
            "author_id": hit.author_id,
            "created_at": hit.created_at,
            "excerpt": (hit.highlights.get("body") or [""])[0],
        }
        for hit in results.hits
        if hit.doc_type == "post"
    ]


@router.get("/spaces/{space_id}", summary="A space and its posts")
def space_page(
    request: Request, space_id: ResourceId, viewer: CurrentViewer, clients: ClientsDep
) -> Response:
    space = clients.publishing.space(space_id, user_token=viewer.token)
    posts = _space_posts(clients, viewer, space_id)
    return render(request, "space.html", {"space": space, "posts": posts}, viewer=viewer)


def _compose_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    preview: bool = False,
    status_code: int = 200,
) -> Response:
    spaces = [
        s for s in clients.publishing.spaces(user_token=viewer.token) if s["kind"] == "community"
    ]
    return render(
        request,
        "compose.html",
        {
            "spaces": spaces,
            "values": values,
            "errors": errors or {},
            "refused": refused,
            "preview": preview,
            "limits": {"title": TITLE_MAX, "body": BODY_MAX},
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/compose", summary="Write a social post")
def compose(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space: Annotated[str, Query()] = "",
) -> Response:
    return _compose_page(
        request, viewer, clients, values={"space_id": space, "title": "", "body": ""}
    )


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
) -> Response:
    values = {"space_id": space_id, "title": title, "body": body}
    errors = _validate_post(title, body, space_id)
    if intent == "preview" or errors:
        return _compose_page(
            request,
            viewer,
            clients,
            values=values,
            errors=errors,
            preview=intent == "preview" and not errors,
            status_code=422 if errors else 200,
        )
    try:
        post = clients.publishing.create_post(
            user_token=viewer.token, space_id=space_id, kind="social", title=title, body=body
        )
    except UnexpectedResponse as exc:
        if exc.status_code not in (403, 404, 409, 422):
            raise
        return _compose_page(
            request,
            viewer,
            clients,
            values=values,
            errors=field_errors(exc),
            refused=refusal(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/posts/{post['id']}?done=published", status_code=303)


def _comments(clients: ClientsDep, viewer: Viewer, post_id: str) -> list[dict[str, Any]]:
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
    *,
    notice: str | None = None,
    refused: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    post = clients.publishing.post(post_id, user_token=viewer.token)
    comments = _comments(clients, viewer, post_id)
    return render(
        request,
        "post.html",
        {
            "post": post,
            "comments": comments,
            "may": _allowed_here(clients, viewer, post["space_id"]),
            "notice": notice,
            "refused": refused,
            "errors": errors or {},
            "values": values or {},
        },
        viewer=viewer,
        status_code=status_code,
    )


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
    text = body.strip()
    error = None
    if not text:
        error = "compose.required"
    elif len(text) > COMMENT_MAX:
        error = "compose.too_long"
    if error:
        return _post_page(
            request,
            viewer,
            clients,
            post_id,
            errors={"body": error},
            values={"body": body},
            status_code=422,
        )
    fields: dict[str, Any] = {"body": text}
    # The revision the page showed: publishing refuses the comment if the post was edited
    # since, so an official answer never lands under a text its author did not read.
    shown = _revision(post_revision)
    if shown is not None:
        fields["post_revision"] = shown
    if official:
        fields["official"] = True
        if authority.strip():
            fields["authority"] = authority.strip()
    try:
        clients.publishing.comment(post_id, user_token=viewer.token, **fields)
    except UnexpectedResponse as exc:
        if exc.status_code not in (403, 409, 422):
            raise
        return _post_page(
            request,
            viewer,
            clients,
            post_id,
            refused=refusal(exc),
            errors={k: v for k, v in field_errors(exc).items() if k == "body"},
            values={"body": body},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/posts/{post_id}#comments", status_code=303)


def _revision(value: str) -> int | None:
    """A revision number from a form field, or None for anything else."""
    return int(value) if re.fullmatch(r"[1-9][0-9]{0,8}", value) else None


# Actions on a post, each a small form: what publishing's API calls it, and its body.
ACTIONS: dict[str, tuple[str, str | None]] = {
    "acknowledge": ("acknowledge", "acknowledged"),
    "react": ("reactions", None),
    "report": ("reports", "reported"),
    "endorse": ("endorse", "endorsed"),
    # Moderators, on a hidden post's page.
    "restore": ("restore", "done"),
}
# Actions that need a reason, and the form field it is typed in.
REASON_FIELDS = {"report": "reason", "restore": "restore_reason"}


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
) -> Response:
    if action not in ACTIONS:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    path, notice = ACTIONS[action]
    body: dict[str, Any] | None = None
    if action == "react":
        body = {"kind": "like"}
    if action == "endorse" and _revision(revision) is not None:
        # The revision the page showed: refused if the post was edited since.
        body = {"revision": _revision(revision)}
    if action in REASON_FIELDS:
        given = reason if action == "report" else restore_reason
        if len(given.strip()) < 3:
            return _post_page(
                request,
                viewer,
                clients,
                post_id,
                errors={REASON_FIELDS[action]: "compose.required"},
                status_code=422,
            )
        body = {"reason": given.strip()}
    try:
        clients.publishing.post_action(post_id, path, user_token=viewer.token, body=body)
    except UnexpectedResponse as exc:
        if exc.status_code not in (403, 409, 422):
            raise
        return _post_page(
            request, viewer, clients, post_id, refused=refusal(exc), status_code=exc.status_code
        )
    query = f"?done={notice}" if notice else ""
    return RedirectResponse(f"/posts/{post_id}{query}", status_code=303)


FACETS = ("kind", "space_id", "author_id")
FACET_PARAMS = {"kind": "kind", "space_id": "space", "author_id": "author"}


@router.get("/search", summary="Search with facets, highlights and pagination")
def search(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    space: Annotated[str, Query(max_length=128)] = "",
    author: Annotated[str, Query(max_length=128)] = "",
    cursor: Annotated[str, Query(max_length=512)] = "",
) -> Response:
    filters = {"kind": kind, "space": space, "author": author}
    results = None
    if q or any(filters.values()):
        results = clients.search.search(
            user_token=viewer.token,
            q=q,
            kind=kind or None,
            space=space or None,
            author=author or None,
            cursor=cursor or None,
            limit=10,
            facets=",".join(FACETS),
        )

    def link(**changes: str) -> str:
        params = {"q": q, **filters, **changes}
        return "/search?" + urlencode({k: v for k, v in params.items() if v})

    facets: list[dict[str, Any]] = []
    if results is not None:
        for name in FACETS:
            param = FACET_PARAMS[name]
            buckets = [
                {
                    "value": bucket.value,
                    "count": bucket.count,
                    "active": filters[param] == bucket.value,
                    "href": link(**{param: "" if filters[param] == bucket.value else bucket.value}),
                }
                for bucket in results.facets.get(name, [])
            ]
            if buckets:
                facets.append({"name": name, "buckets": buckets})
    return render(
        request,
        "search.html",
        {
            "q": q,
            "filters": filters,
            "results": results,
            "facets": facets,
            "next_href": link(cursor=results.next_cursor)
            if results and results.next_cursor
            else None,
            "first_href": link() if cursor else None,
            "clear_href": link(kind="", space="", author="") if any(filters.values()) else None,
        },
        viewer=viewer,
    )


@router.get("/search/suggest", summary="Type-ahead for the search box (JSON)")
def suggest(
    viewer: CurrentViewer,
    clients: ClientsDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    if len(q.strip()) < 2:
        return JSONResponse({"suggestions": []})
    try:
        suggestions = clients.search.suggestions(user_token=viewer.token, q=q, limit=8)
    except UnexpectedResponse as exc:
        if exc.status_code not in MISSING:
            raise
        # An older search has no suggestions endpoint: complete from the first hits instead.
        results = clients.search.search(user_token=viewer.token, q=q, limit=8)
        suggestions = [{"id": h.id, "title": h.title} for h in results.hits if h.title]
    titles = list(dict.fromkeys(str(s["title"]) for s in suggestions))
    return JSONResponse({"suggestions": titles})
