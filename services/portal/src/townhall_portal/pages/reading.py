"""What every employee reads: the feed, and a space's posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.posts import PostKind, PostRead

from ..web import ClientsDep, CurrentViewer, Viewer, render

router = APIRouter(tags=["employees"])

# Endpoints that arrived after the walking slice answer 404/405 on an older publishing.
MISSING = (404, 405)


@router.get("/", summary="Home feed")
def feed(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    page = clients.publishing.feed(user_token=viewer.token, cursor=cursor, limit=20)
    # Pinned and official first (publishing already puts official first; keep its order).
    posts = sorted(page.items, key=lambda p: (not p.pinned, p.kind is not PostKind.OFFICIAL))
    notice = "delete.done" if done == "deleted" else None
    context = {"posts": posts, "next_cursor": page.next_cursor, "notice": notice}
    return render(request, "feed.html", context, viewer=viewer)


@dataclass(frozen=True)
class SearchedPost:
    """A post as search lists it: a highlighted excerpt of its text, not its body."""

    id: str
    title: str
    kind: str
    space_id: str
    author_id: str
    created_at: datetime
    excerpt: str


def space_posts(
    clients: ClientsDep, viewer: Viewer, space_id: str
) -> Sequence[PostRead | SearchedPost]:
    try:
        return clients.publishing.space_posts(space_id, user_token=viewer.token).items
    except UnexpectedResponse as exc:
        if exc.status_code not in MISSING:
            raise
    # An older publishing has no listing per space: search lists a space's readable posts.
    results = clients.search.search(user_token=viewer.token, space=space_id, limit=50)
    return [
        SearchedPost(
            id=hit.id,
            title=hit.title,
            kind=hit.kind,
            space_id=hit.space_id,
            author_id=hit.author_id,
            created_at=hit.created_at,
            excerpt=(hit.highlights.get("body") or [""])[0],
        )
        for hit in results.hits
        if hit.doc_type == "post"
    ]
