"""The spaces one can see and a space's page, with joining, leaving and following.

Each standing form says the state it asks for (join or leave, follow or stop), so a
double click or a resent form cannot undo itself; focus comes back to the button used.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, refusals
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render, render_form
from .reading import space_posts
from .standing import ALREADY, CHANGES, standings

router = APIRouter(tags=["employees"])


def _done(done: str | None, space: str | None) -> tuple[str | None, str | None]:
    notices = {notice for _, by_state in CHANGES.values() for notice in by_state.values()}
    return (f"standing.{done}", space) if done in notices else (None, None)


def spaces_page_with(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    done: tuple[str | None, str | None] = (None, None),
) -> Response:
    items = clients.publishing.spaces(user_token=viewer.token)
    context = {
        "spaces": items,
        "standing": standings(clients, viewer, items),
        "notice": done[0],
        "notice_space": done[1],
    }
    return render_form(request, "spaces.html", form or FormState(), context, viewer=viewer)


def space_page_with(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    space_id: str,
    form: FormState | None = None,
    *,
    done: tuple[str | None, str | None] = (None, None),
) -> Response:
    space = clients.publishing.space(space_id, user_token=viewer.token)
    context = {
        "space": space,
        "posts": space_posts(clients, viewer, space_id),
        "standing": standings(clients, viewer, [space])[space.id],
        "notice": done[0],
    }
    return render_form(request, "space.html", form or FormState(), context, viewer=viewer)


def _already(exc: UnexpectedResponse, problem_type: str | None) -> bool:
    problem = exc.problem if isinstance(exc.problem, dict) else {}
    return bool(problem_type) and str(problem.get("type", "")).endswith(str(problem_type))


@router.get("/spaces", summary="The spaces one can see")
def spaces(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
    space: Annotated[str | None, Query(max_length=63)] = None,
) -> Response:
    return spaces_page_with(request, viewer, clients, done=_done(done, space))


@router.get("/spaces/{space_id}", summary="A space and its posts")
def space_page(
    request: Request,
    space_id: ResourceId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return space_page_with(request, viewer, clients, space_id, done=_done(done, space_id))


@router.post("/spaces/{space_id}/{change}", summary="Join or leave, follow or stop following")
def change_standing(
    request: Request,
    space_id: ResourceId,
    change: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    state: Annotated[str, Form(max_length=3)] = "on",
    back: Annotated[str, Form(max_length=10)] = "list",
) -> Response:
    if change not in CHANGES or state not in ("on", "off"):
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    path, notices = CHANGES[change]
    try:
        with refusals():
            try:
                clients.publishing.request(
                    "PUT" if state == "on" else "DELETE",
                    f"/v1/spaces/{space_id}/{path}",
                    idempotent=True,
                    token=viewer.token,
                    expected=(200,),
                )
            except UnexpectedResponse as exc:
                if not _already(exc, ALREADY.get((change, state))):
                    raise
    except FormRefused as refused:
        if back == "space":
            return space_page_with(request, viewer, clients, space_id, refused.state())
        return spaces_page_with(request, viewer, clients, refused.state())
    page = f"/spaces/{space_id}" if back == "space" else "/spaces"
    where = f"?done={notices[state]}&space={space_id}#{change}-{space_id}"
    return RedirectResponse(page + where, status_code=303)
