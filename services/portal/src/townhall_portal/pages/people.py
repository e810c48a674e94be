"""People to mention: the editor's `@` type-ahead (JSON) and, without JavaScript, a page
to look up the id to type after `@`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from townhall_clients import ServiceUnavailable, UnexpectedResponse
from townhall_contracts.people import Person

from ..web import ClientsDep, CurrentViewer, Viewer, render

router = APIRouter(tags=["employees"])

Prefix = Annotated[str, Query(max_length=64)]


def _people(clients: ClientsDep, viewer: Viewer, prefix: str) -> list[Person]:
    """Who matches; nobody for an empty prefix."""
    prefix = prefix.strip().lstrip("@")
    if not prefix:
        return []
    return clients.policy.people(prefix, user_token=viewer.token)


@router.get("/people/suggest", summary="People to mention, for the editor's type-ahead (JSON)")
def suggest(viewer: CurrentViewer, clients: ClientsDep, prefix: Prefix = "") -> Response:
    """A type-ahead is a convenience: an outage or a refusal answers an empty list with
    policy's status, and the editor stays usable."""
    try:
        people = _people(clients, viewer, prefix)
    except UnexpectedResponse as exc:
        status = exc.status_code if exc.status_code in (403, 422, 429) else 502
        return JSONResponse({"people": []}, status_code=status)
    except ServiceUnavailable:
        return JSONResponse({"people": []}, status_code=503)
    return JSONResponse({"people": [person.model_dump() for person in people]})


@router.get("/people", summary="Look up a person's id, to mention them as @id")
def people_page(
    request: Request, viewer: CurrentViewer, clients: ClientsDep, prefix: Prefix = ""
) -> Response:
    try:
        found = _people(clients, viewer, prefix)
    except UnexpectedResponse as exc:
        if exc.status_code != 429:
            raise
        context: dict[str, Any] = {"people": [], "prefix": prefix, "message_key": "people.too_many"}
        return render(request, "people.html", context, status_code=429, viewer=viewer)
    context = {"people": found, "prefix": prefix, "message_key": None}
    return render(request, "people.html", context, viewer=viewer)
