"""Communicators keep search's vocabulary: groups of equivalent terms, and best bets.

The groups are edited as text, one group per line with its terms separated by `|` (the
shipped vocabulary's own format); each best bet is a row of keywords and post ids. A save
names the version it was read at, so an edit made meanwhile by someone else is refused
(409) and told plainly, with what was typed kept and the newer version shown beside it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from townhall_contracts.search import VocabularyRead, VocabularyUpdate

from ..forms import FormRefused, FormState, checked, refusals
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render

router = APIRouter(tags=["staff"])

# Blank best-bet rows offered under the existing ones.
BLANK_BETS = 2
_SEPARATORS = re.compile(r"[\s,;]+")


def groups_text(groups: list[list[str]]) -> str:
    """The groups as the page edits them: one a line, terms separated by ` | `."""
    return "\n".join(" | ".join(group) for group in groups)


def parse_groups(text: str) -> list[list[str]]:
    """Lines of `|`-separated terms; blank lines and blank terms are dropped."""
    groups = []
    for line in text.splitlines():
        terms = [term.strip() for term in line.split("|") if term.strip()]
        if terms:
            groups.append(terms)
    return groups


def parse_bets(keywords: list[str], posts: list[str]) -> list[dict[str, list[str]]]:
    """One best bet per row that holds anything: keywords split on commas, post ids on
    spaces or commas (a half-filled row is kept, for the model to refuse)."""
    bets = []
    for words, ids in zip(keywords, posts, strict=False):
        row = {
            "keywords": [w.strip() for w in words.split(",") if w.strip()],
            "post_ids": [i for i in _SEPARATORS.split(ids) if i],
        }
        if row["keywords"] or row["post_ids"]:
            bets.append(row)
    return bets


def _rows(bets: list[dict[str, list[str]]]) -> list[dict[str, str]]:
    shown = [{"keywords": ", ".join(b["keywords"]), "posts": " ".join(b["post_ids"])} for b in bets]
    return shown + [{"keywords": "", "posts": ""}] * BLANK_BETS


def _values(current: VocabularyRead) -> dict[str, Any]:
    bets = [bet.model_dump() for bet in current.best_bets]
    return {"version": current.version, "groups": groups_text(current.groups), "bets": _rows(bets)}


def _page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    notice: str | None = None,
) -> Response:
    current = clients.search.vocabulary(user_token=viewer.token)
    form = form or FormState(values=_values(current))
    # After a refused save, the version saved meanwhile is shown beside what was typed.
    newer = current if form.values.get("version") != current.version else None
    return render(
        request,
        "vocabulary.html",
        {
            **form.context(),
            "current": current,
            "newer": newer,
            "newer_groups": groups_text(newer.groups) if newer else "",
            "notice": notice,
        },
        viewer=viewer,
        status_code=form.status_code,
    )


@router.get("/vocabulary", summary="The search vocabulary and best bets, to edit")
def vocabulary(
    request: Request, viewer: CurrentViewer, clients: ClientsDep, done: int | None = None
) -> Response:
    # A reader without `vocabulary.manage` gets search's 403, shown as the error page.
    return _page(request, viewer, clients, notice="vocabulary.saved" if done else None)


@router.post("/vocabulary", summary="Save a new version of the search vocabulary")
def save(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    version: Annotated[int, Form(ge=0)],
    groups: Annotated[str, Form(max_length=500_000)] = "",
    bet_keywords: Annotated[list[str] | None, Form()] = None,
    bet_posts: Annotated[list[str] | None, Form()] = None,
) -> Response:
    bets = parse_bets(bet_keywords or [], bet_posts or [])
    values = {"version": version, "groups": groups, "bets": _rows(bets)}
    try:
        update = checked(
            VocabularyUpdate,
            {"version": version, "groups": parse_groups(groups), "best_bets": bets},
        )
        with refusals():
            clients.search.replace_vocabulary(update, user_token=viewer.token)
    except FormRefused as refused:
        state = refused.state(values, shown=("groups", "best_bets"))
        if refused.status_code == 409:
            state.refused = "vocabulary.stale"
        return _page(request, viewer, clients, state)
    return RedirectResponse("/vocabulary?done=1", status_code=303)
