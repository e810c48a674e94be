"""Compliance officers: read everything policy remembers, change nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_platform.params import ResourceId

from ..forms import FormRefused, parse_instant, refusals
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render

router = APIRouter(tags=["staff"])


ACTIONS = (
    "post.official",
    "approve.official",
    "publish.official",
    "answer.official",
    "post.social",
    "comment",
    "moderate",
    "endorse",
    "pin",
    "manage.members",
    "manage.space",
    "audit.read",
    "grants.manage",
    "vocabulary.manage",
    "read",
    "react",
)
# The trail page shows the newest events of the first window policy answers.
TRAIL_WINDOW = 10_000
TRAIL_SHOWN = 100
EXPORTS = {
    "who-can": "/v1/audit/who-can",
    "what-can": "/v1/audit/what-can",
    "grant-history": "/v1/audit/grant-history",
    "events": "/v1/audit/events",
}


def _compliance(
    request: Request, viewer: Viewer, view: str, status_code: int = 200, **context: Any
) -> Response:
    return render(
        request,
        "compliance.html",
        {"view": view, "actions": ACTIONS, **context},
        viewer=viewer,
        status_code=status_code,
    )


def _at_param(at: str) -> str | None:
    instant = parse_instant(at)
    return instant.isoformat() if instant else None


@router.get("/compliance", summary="Who can post officially where, at a chosen date")
def who_can(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    action: Annotated[str, Query(max_length=40)] = "post.official",
    domain: Annotated[str, Query(max_length=80)] = "",
    at: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    spaces = clients.publishing.spaces(user_token=viewer.token)
    domains = ["org", *[f"space:{s.id}" for s in spaces]]
    chosen = [domain] if domain else domains
    answers = []
    for one in chosen:
        answers.append(
            clients.policy.who_can(
                user_token=viewer.token, action=action, domain=one, at=_at_param(at)
            )
        )
    return _compliance(
        request,
        viewer,
        "who-can",
        answers=answers,
        domains=domains,
        form={"action": action, "domain": domain, "at": at},
        export_query={"action": action, "domain": domain or "org", "at": _at_param(at) or ""},
    )


@router.get("/compliance/person", summary="A person's roles and their history")
def person(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    subject: Annotated[str, Query(max_length=128)] = "",
    at: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    roles = history = None
    if subject.strip():
        roles = clients.policy.get(
            "/v1/audit/what-can", user_token=viewer.token, subject=subject, at=_at_param(at)
        )
        history = clients.policy.get(
            "/v1/audit/grant-history", user_token=viewer.token, subject=subject
        )
    return _compliance(
        request,
        viewer,
        "person",
        roles=roles,
        history=history,
        form={"subject": subject, "at": at},
    )


@router.get("/compliance/grants", summary="Grant history of a domain, with justifications")
def grant_history(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    domain: Annotated[str, Query(max_length=80)] = "org",
) -> Response:
    history = clients.policy.get(
        "/v1/audit/grant-history", user_token=viewer.token, domain=domain or "org"
    )
    return _compliance(request, viewer, "grants", history=history, form={"domain": domain})


@router.get("/compliance/trail", summary="The audit trail, newest first, and verifying it")
def trail(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    verify: Annotated[str, Query(max_length=5)] = "",
    actor: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    report = clients.policy.verify(user_token=viewer.token) if verify else None
    answer = clients.policy.audit_events(
        user_token=viewer.token, actor=actor or None, limit=TRAIL_WINDOW
    )
    events = list(reversed(answer.get("events", [])))[:TRAIL_SHOWN]
    return _compliance(
        request, viewer, "trail", report=report, events=events, form={"actor": actor}
    )


@router.get("/compliance/export/{kind}", summary="CSV export (as policy produces it)")
def export(
    request: Request, kind: ResourceId, viewer: CurrentViewer, clients: ClientsDep
) -> Response:
    if kind not in EXPORTS:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    params = {k: v for k, v in request.query_params.items() if k != "format"}
    answer = clients.policy.export(EXPORTS[kind], user_token=viewer.token, format="csv", **params)
    return Response(
        answer.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="townhall-{kind}.csv"'},
    )


@router.get("/compliance/reviews", summary="Access reviews")
def reviews(request: Request, viewer: CurrentViewer, clients: ClientsDep) -> Response:
    listing = clients.policy.get("/v1/audit/reviews", user_token=viewer.token)
    return _compliance(request, viewer, "reviews", reviews=listing.get("reviews", []))


@router.post("/compliance/reviews", summary="Open an access review of a domain")
def open_review(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    domain: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
) -> Response:
    body = {"domain": domain.strip(), "justification": justification.strip()}
    try:
        with refusals():
            opened = clients.policy.post_json(
                "/v1/audit/reviews", user_token=viewer.token, body=body
            )
    except FormRefused as refused:
        listing = clients.policy.get("/v1/audit/reviews", user_token=viewer.token)
        return _compliance(
            request,
            viewer,
            "reviews",
            status_code=refused.status_code,
            reviews=listing.get("reviews", []),
            refused=refused.refused,
            errors=refused.errors,
            form={"domain": domain, "justification": justification},
        )
    return RedirectResponse(f"/compliance/reviews/{opened['id']}", status_code=303)


@router.get("/compliance/reviews/{review_id}", summary="One access review")
def review(
    request: Request, review_id: ResourceId, viewer: CurrentViewer, clients: ClientsDep
) -> Response:
    answer = clients.policy.get(f"/v1/audit/reviews/{review_id}", user_token=viewer.token)
    return _compliance(request, viewer, "review", review=answer)


@router.post("/compliance/reviews/{review_id}/decide", summary="Keep or revoke, or close")
def decide_review(
    request: Request,
    review_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    outcome: Annotated[str, Form()] = "",
    grant_id: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
) -> Response:
    if outcome == "close":
        path = f"/v1/audit/reviews/{review_id}/close"
        body: dict[str, Any] = {"justification": justification.strip()}
    else:
        path = f"/v1/audit/reviews/{review_id}/items/{grant_id}"
        body = {"outcome": outcome, "justification": justification.strip()}
    try:
        with refusals():
            clients.policy.post_json(path, user_token=viewer.token, body=body)
    except FormRefused as refused:
        answer = clients.policy.get(f"/v1/audit/reviews/{review_id}", user_token=viewer.token)
        return _compliance(
            request,
            viewer,
            "review",
            review=answer,
            refused=refused.refused,
            status_code=refused.status_code,
        )
    return RedirectResponse(f"/compliance/reviews/{review_id}", status_code=303)
