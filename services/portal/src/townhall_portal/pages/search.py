"""Search with facets, highlights and pagination, and the search box's type-ahead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_contracts.search import SearchResults
from townhall_platform.errors import TownhallError

from ..web import ClientsDep, CurrentViewer, Viewer, render
from .reading import MISSING

router = APIRouter(tags=["employees"])
log = structlog.get_logger(__name__)

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
    s: Annotated[str, Query(max_length=64, description="The search a later page is of")] = "",
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

    facets = _facets(results, filters, link)
    # Later pages belong to the first page's search: their openings count for it.
    search_id = (results.search_id if results else None) or s or None
    return render(
        request,
        "search.html",
        {
            "q": q,
            "filters": filters,
            "results": results,
            "facets": facets,
            "next_href": link(cursor=results.next_cursor, s=search_id or "")
            if results and results.next_cursor
            else None,
            "search_id": search_id,
            "first_href": link() if cursor else None,
            # The correction searches again with the same filters, from the first page.
            "did_you_mean_href": link(q=results.did_you_mean)
            if results and results.did_you_mean
            else None,
            "clear_href": link(kind="", space="", author="") if any(filters.values()) else None,
            # The authors a facet offers, to be named like the hits' authors.
            "people_ids": [
                b.value for b in (results.facets.get("author_id", []) if results else [])
            ],
            "post_titles": _commented_titles(clients, viewer, results),
        },
        viewer=viewer,
    )


def _facets(
    results: SearchResults | None, filters: dict[str, str], link: Callable[..., str]
) -> list[dict[str, Any]]:
    """Each facet's buckets with the link that selects (or clears) it."""
    facets: list[dict[str, Any]] = []
    if results is None:
        return facets
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
    return facets


def _commented_titles(
    clients: ClientsDep, viewer: Viewer, results: SearchResults | None
) -> dict[str, str]:
    """The titles of the posts the comment hits belong to, read as the viewer (a post they
    may not read stays untitled)."""
    titles: dict[str, str] = {}
    wanted = {h.post_id for h in (results.hits if results else []) if h.post_id and not h.title}
    for post_id in sorted(wanted):
        try:
            titles[post_id] = clients.publishing.post(post_id, user_token=viewer.token).title
        except UnexpectedResponse as exc:
            if exc.status_code not in MISSING:
                raise
    return titles


@router.get("/search/open", summary="Open a search result, reporting that the search found it")
def open_result(
    viewer: CurrentViewer,
    clients: ClientsDep,
    s: Annotated[str, Query(pattern=r"^[A-Za-z0-9_-]{8,64}$")],
    to: Annotated[str, Query(pattern=r"^/posts/[A-Za-z0-9_-]{1,128}$")],
) -> Response:
    """The results' links pass here: search is told (without who) that the search was
    followed by an opening, then the reader goes on to the post. A failed report never
    keeps the reader from the post."""
    try:
        clients.search.search_opened(s, user_token=viewer.token)
    except TownhallError:
        log.warning("search_open_not_reported", search_id=s)
    return RedirectResponse(to, status_code=303)


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
