"""Feed tokens: create one for a news reader (its URL shown once, to copy), list, revoke.

The Atom feeds themselves are served by publishing; the portal manages the tokens with
the user's own bearer token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.feed_tokens import FeedTokenCreate, FeedTokenCreated

from ..forms import refusal
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render

router = APIRouter(tags=["employees"])

TokenId = Annotated[str, Path(min_length=1, max_length=36)]
DONE = {"revoked": "feeds.done_revoked"}


def _page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    tokens = clients.publishing.feed_tokens(user_token=viewer.token)
    spaces = clients.publishing.spaces(user_token=viewer.token)
    full = {"tokens": tokens, "spaces": spaces, "created": None, "error": None, "notice": None}
    return render(
        request, "feed_tokens.html", {**full, **context}, status_code=status_code, viewer=viewer
    )


@router.get("/feeds", summary="Atom feeds of official posts, and the user's feed tokens")
def feeds(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _page(request, viewer, clients, notice=DONE.get(done))


@router.post("/feeds", summary="Create a feed token (its URL is shown this once)")
def create_token(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    _csrf: CsrfChecked,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        FeedTokenCreate(name=name)
    except ValidationError:
        return _page(request, viewer, clients, status_code=422, error="feeds.name_required")
    try:
        created: FeedTokenCreated = clients.publishing.create_feed_token(
            name, user_token=viewer.token
        )
    except UnexpectedResponse as exc:
        if exc.status_code not in (400, 409, 422):
            raise
        return _page(request, viewer, clients, status_code=exc.status_code, error=refusal(exc))
    # Rendered, not redirected: the token's value exists in this answer only.
    return _page(request, viewer, clients, status_code=201, created=created)


@router.post("/feeds/{token_id}/revoke", summary="Revoke a feed token")
def revoke_token(
    token_id: TokenId, viewer: CurrentViewer, clients: ClientsDep, _csrf: CsrfChecked
) -> Response:
    clients.publishing.revoke_feed_token(token_id, user_token=viewer.token)
    return RedirectResponse("/feeds?done=revoked", status_code=303)
