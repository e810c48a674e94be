"""Pages for communications staff, spokespeople, moderators, compliance and policy admins.

They call endpoints the publishing and policy services grew after the walking slice
(the official workflow, acknowledgements, moderation, indicators; grants, who-can, the
audit trail, access reviews). Every refusal shows policy's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

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

router = APIRouter(tags=["staff"])

REASON_MIN = 3


def _attempt(action: Callable[[], Any]) -> tuple[Any, str | None, dict[str, str], int]:
    """Run an API write; a refusal or invalid input comes back as a message for the page."""
    try:
        return action(), None, {}, 200
    except UnexpectedResponse as exc:
        if exc.status_code not in (400, 403, 404, 409, 422):
            raise
        return None, refusal(exc) or exc.detail, field_errors(exc), exc.status_code


def _parse_instant(value: str) -> datetime | None:
    """A `datetime-local` field (taken as UTC) or ISO 8601; None when empty or invalid."""
    value = value.strip()
    if not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


# Communications staff: official posts.


def _my_official_posts(clients: ClientsDep, viewer: Viewer) -> list[dict[str, Any]]:
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


def _official_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    spaces = clients.publishing.spaces(user_token=viewer.token)
    return render(
        request,
        "official.html",
        {
            "spaces": spaces,
            "posts": _my_official_posts(clients, viewer),
            "values": values or {"space_id": "general"},
            "errors": errors or {},
            "refused": refused,
            "notice": notice,
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/official", summary="Draft official posts and follow their status")
def official(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    notice = "official.retracted_notice" if done == "retracted" else None
    return _official_page(request, viewer, clients, notice=notice)


@router.post("/official", summary="Save an official draft and submit it for approval")
def official_submit(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space_id: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    audience_groups: Annotated[str, Form()] = "",
    publish_at: Annotated[str, Form()] = "",
    requires_acknowledgement: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "space_id": space_id,
        "title": title,
        "body": body,
        "audience_groups": audience_groups,
        "publish_at": publish_at,
        "requires_acknowledgement": bool(requires_acknowledgement),
    }
    errors: dict[str, str] = {}
    for name, given in (("space_id", space_id), ("title", title), ("body", body)):
        if not given.strip():
            errors[name] = "compose.required"
    if len(title.strip()) > 200:
        errors["title"] = "compose.too_long"
    instant = _parse_instant(publish_at)
    if publish_at.strip() and (instant is None or instant <= datetime.now(UTC)):
        errors["publish_at"] = "official.publish_at_invalid"
    if errors:
        return _official_page(
            request, viewer, clients, values=values, errors=errors, status_code=422
        )
    groups = [g.strip() for g in audience_groups.split(",") if g.strip()]
    post, refused, api_errors, status = _attempt(
        lambda: clients.publishing.create_post(
            user_token=viewer.token,
            space_id=space_id,
            kind="official",
            title=title,
            body=body,
            audience_groups=groups or None,
            requires_acknowledgement=bool(requires_acknowledgement) or None,
        )
    )
    if post is None:
        return _official_page(
            request,
            viewer,
            clients,
            values=values,
            errors=api_errors,
            refused=refused,
            status_code=status,
        )
    submit_body = {"publish_at": instant.isoformat()} if instant else None
    _, refused, _, status = _attempt(
        lambda: clients.publishing.post_action(
            post["id"], "submit", user_token=viewer.token, body=submit_body
        )
    )
    if refused:
        return _official_page(
            request, viewer, clients, values=values, refused=refused, status_code=status
        )
    return RedirectResponse(f"/official/{post['id']}?done=submitted", status_code=303)


def _tracking_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    post_id: str,
    *,
    notice: str | None = None,
    refused: str | None = None,
    refused_key: str | None = None,
    status_code: int = 200,
) -> Response:
    post = clients.publishing.post(post_id, user_token=viewer.token)
    report = None
    if post.get("requires_acknowledgement") and post.get("state") == "published":
        report, _, _, _ = _attempt(
            lambda: clients.publishing.acknowledgements(post_id, user_token=viewer.token)
        )
    history, _, _, _ = _attempt(
        lambda: clients.publishing.history(post_id, user_token=viewer.token)
    )
    return render(
        request,
        "official_post.html",
        {
            "post": post,
            "report": report,
            "steps": (history or {}).get("steps", []),
            "notice": notice,
            "refused": refused,
            "refused_key": refused_key,
        },
        viewer=viewer,
        status_code=422 if refused_key else status_code,
    )


@router.get("/official/{post_id}", summary="An official post's status and acknowledgements")
def official_post(
    request: Request,
    post_id: ResourceId,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    notice = {"submitted": "official.submitted", "done": "grants.done"}.get(done or "")
    return _tracking_page(request, viewer, clients, post_id, notice=notice)


WORKFLOW_ACTIONS = ("publish", "approve", "reject", "retract")


@router.post("/official/{post_id}/{action}", summary="Publish, approve, reject or retract")
def official_action(
    request: Request,
    post_id: ResourceId,
    action: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
) -> Response:
    if action not in WORKFLOW_ACTIONS:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    body: dict[str, Any] | None = None
    if action in ("reject", "retract"):
        if len(reason.strip()) < REASON_MIN:
            if back == "approvals":
                return _approvals_page(
                    request, viewer, clients, refused_key="approvals.reason_required"
                )
            return _tracking_page(
                request, viewer, clients, post_id, refused_key="approvals.reason_required"
            )
        body = {"reason": reason.strip()}
    if action == "publish" and at.strip():
        instant = _parse_instant(at)
        if instant is None or instant <= datetime.now(UTC):
            return _tracking_page(
                request, viewer, clients, post_id, refused_key="official.publish_at_invalid"
            )
        body = {"at": instant.isoformat()}
    _, refused, _, status = _attempt(
        lambda: clients.publishing.post_action(post_id, action, user_token=viewer.token, body=body)
    )
    if back == "approvals":
        if refused:
            return _approvals_page(request, viewer, clients, refused=refused, status_code=status)
        return RedirectResponse("/approvals?done=done", status_code=303)
    if refused:
        return _tracking_page(
            request, viewer, clients, post_id, refused=refused, status_code=status
        )
    if action == "retract":
        # A retracted post is kept for compliance only: its author no longer reads it.
        return RedirectResponse("/official?done=retracted", status_code=303)
    return RedirectResponse(f"/official/{post_id}?done=done", status_code=303)


def _approvals_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    *,
    refused: str | None = None,
    refused_key: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    queue = clients.publishing.review_queue(user_token=viewer.token)
    return render(
        request,
        "approvals.html",
        {
            "posts": queue.get("items", []),
            "refused": refused,
            "refused_key": refused_key,
            "notice": notice,
        },
        viewer=viewer,
        status_code=status_code if not refused_key else 422,
    )


@router.get("/approvals", summary="Official posts waiting for approval")
def approvals(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    return _approvals_page(request, viewer, clients, notice="grants.done" if done else None)


def _periods(weeks: int, now: datetime) -> list[tuple[datetime, datetime]]:
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return [
        (end - timedelta(weeks=weeks - i), end - timedelta(weeks=weeks - i - 1))
        for i in range(weeks)
    ]


@router.get("/indicators", summary="Posts, participation, reach and acknowledgement over time")
def indicators(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    space: Annotated[str, Query(max_length=63)] = "",
    weeks: Annotated[int, Query(ge=2, le=26)] = 8,
) -> Response:
    series = []
    for since, until in _periods(weeks, datetime.now(UTC)):
        answer = clients.publishing.indicators(
            user_token=viewer.token,
            space_id=space or None,
            since=since.isoformat(),
            until=until.isoformat(),
        )
        posts = answer.get("posts_by_kind", {})
        series.append(
            {
                "label": until.strftime("%d/%m"),
                "social": int(posts.get("social", 0)),
                "official": int(posts.get("official", 0)),
                "contributors": int(answer.get("active_contributors", 0)),
                "reach": answer.get("official_reach", {}).get("rate"),
                "ack": answer.get("acknowledgement", {}).get("rate"),
            }
        )
    charts = [
        _chart("indicators.posts", series, ("social", "official")),
        _chart("indicators.participation", series, ("contributors",)),
        _chart("indicators.reach", series, ("reach",), percent=True),
        _chart("indicators.ack_rate", series, ("ack",), percent=True),
    ]
    spaces = clients.publishing.spaces(user_token=viewer.token)
    return render(
        request,
        "indicators.html",
        {"series": series, "charts": charts, "space": space, "spaces": spaces, "weeks": weeks},
        viewer=viewer,
    )


def _chart(
    title_key: str, series: list[dict[str, Any]], keys: tuple[str, ...], *, percent: bool = False
) -> dict[str, Any]:
    """Bars for an SVG chart drawn by the template (no script needed)."""
    width, height, pad = 640, 200, 28
    values = [float(point[k] or 0) for point in series for k in keys]
    top = 1.0 if percent else max([*values, 1.0])
    slot = (width - pad) / max(len(series), 1)
    bar = max(slot / (len(keys) + 1), 2)
    bars = []
    for i, point in enumerate(series):
        for j, key in enumerate(keys):
            value = float(point[key] or 0)
            h = (height - pad) * value / top
            bars.append(
                {
                    "x": round(pad + i * slot + j * bar, 1),
                    "y": round(height - pad - h, 1),
                    "w": round(bar - 1, 1),
                    "h": round(h, 1),
                    "key": key,
                    "value": f"{value:.0%}" if percent else f"{value:g}",
                }
            )
    labels = [
        {"x": round(pad + i * slot + len(keys) * bar / 2, 1), "text": p["label"]}
        for i, p in enumerate(series)
    ]
    return {
        "title_key": title_key,
        "keys": keys,
        "bars": bars,
        "labels": labels,
        "width": width,
        "height": height,
        "percent": percent,
    }


# Moderators.


@router.get("/moderation", summary="The report queue")
def moderation(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    done: Annotated[str | None, Query()] = None,
) -> Response:
    return _moderation_page(request, viewer, clients, notice="grants.done" if done else None)


def _moderation_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    *,
    notice: str | None = None,
    refused: str | None = None,
    reason_error: bool = False,
    status_code: int = 200,
) -> Response:
    queue = clients.publishing.report_queue(user_token=viewer.token)
    return render(
        request,
        "moderation.html",
        {
            "reports": queue.get("items", []),
            "notice": notice,
            "refused": refused,
            "reason_error": reason_error,
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.post("/moderation/{post_id}/{action}", summary="Hide or restore, with a reason")
def moderate(
    request: Request,
    post_id: ResourceId,
    action: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    reason: Annotated[str, Form()] = "",
    comment_id: Annotated[str, Form()] = "",
    report_id: Annotated[str, Form()] = "",
) -> Response:
    if action not in ("hide", "restore", "dismiss"):
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    if len(reason.strip()) < REASON_MIN:
        return _moderation_page(request, viewer, clients, reason_error=True, status_code=422)
    if action == "dismiss":
        _, refused, _, status = _attempt(
            lambda: clients.publishing.dismiss_report(
                report_id, user_token=viewer.token, reason=reason.strip()
            )
        )
    else:
        body: dict[str, Any] = {"reason": reason.strip()}
        if comment_id:
            body["comment_id"] = comment_id
        _, refused, _, status = _attempt(
            lambda: clients.publishing.post_action(
                post_id, action, user_token=viewer.token, body=body
            )
        )
    if refused:
        return _moderation_page(request, viewer, clients, refused=refused, status_code=status)
    return RedirectResponse("/moderation?done=1", status_code=303)


# Compliance officers: read everything policy remembers, change nothing.

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
    instant = _parse_instant(at)
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
    domains = ["org", *[f"space:{s['id']}" for s in spaces]]
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
    review, refused, errors, status = _attempt(
        lambda: clients.policy.post_json(
            "/v1/audit/reviews",
            user_token=viewer.token,
            body={"domain": domain.strip(), "justification": justification.strip()},
        )
    )
    if review is None:
        listing = clients.policy.get("/v1/audit/reviews", user_token=viewer.token)
        return _compliance(
            request,
            viewer,
            "reviews",
            status_code=status,
            reviews=listing.get("reviews", []),
            refused=refused,
            errors=errors,
            form={"domain": domain, "justification": justification},
        )
    return RedirectResponse(f"/compliance/reviews/{review['id']}", status_code=303)


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
    _, refused, _, status = _attempt(
        lambda: clients.policy.post_json(path, user_token=viewer.token, body=body)
    )
    if refused:
        answer = clients.policy.get(f"/v1/audit/reviews/{review_id}", user_token=viewer.token)
        return _compliance(
            request, viewer, "review", review=answer, refused=refused, status_code=status
        )
    return RedirectResponse(f"/compliance/reviews/{review_id}", status_code=303)


# Policy admins: grant and revoke, always with a justification.


def _grants_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    *,
    filters: dict[str, str],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    listing = clients.policy.grants(
        user_token=viewer.token,
        subject=filters.get("subject") or None,
        domain=filters.get("domain") or None,
    )
    grants = listing.get("grants", []) if isinstance(listing, dict) else listing
    return render(
        request,
        "grants.html",
        {
            "grants": [g for g in grants if g.get("active", True)],
            "filters": filters,
            "values": values or {"domain": "org"},
            "errors": errors or {},
            "refused": refused,
            "notice": notice,
            "roles": (
                "employee",
                "communicator",
                "approver",
                "spokesperson",
                "moderator",
                "compliance_officer",
                "policy_admin",
                "owner",
                "member",
            ),
        },
        viewer=viewer,
        status_code=status_code,
    )


@router.get("/grants", summary="Grants in force, to grant and revoke")
def grants(
    request: Request,
    viewer: CurrentViewer,
    clients: ClientsDep,
    subject: Annotated[str, Query(max_length=128)] = "",
    domain: Annotated[str, Query(max_length=80)] = "",
    done: Annotated[str | None, Query()] = None,
) -> Response:
    return _grants_page(
        request,
        viewer,
        clients,
        filters={"subject": subject, "domain": domain},
        notice="grants.done" if done else None,
    )


@router.post("/grants", summary="Grant a role, with a justification")
def grant(
    request: Request,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    subject: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    domain: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "subject": subject,
        "role": role,
        "domain": domain,
        "valid_to": valid_to,
        "justification": justification,
    }
    errors = {
        name: "compose.required"
        for name in ("subject", "role", "domain", "justification")
        if not values[name].strip()
    }
    until = _parse_instant(valid_to)
    if valid_to.strip() and until is None:
        errors["valid_to"] = "official.publish_at_invalid"
    if not errors:
        created, refused, errors, status = _attempt(
            lambda: clients.policy.grant(
                user_token=viewer.token,
                subject=subject.strip(),
                role=role.strip(),
                domain=domain.strip(),
                valid_to=until.isoformat() if until else None,
                justification=justification.strip(),
            )
        )
        if created is not None:
            return RedirectResponse(f"/grants?subject={subject.strip()}&done=1", status_code=303)
    else:
        refused, status = None, 422
    return _grants_page(
        request,
        viewer,
        clients,
        filters={"subject": subject.strip()},
        values=values,
        errors=errors,
        refused=refused,
        status_code=status,
    )


@router.post("/grants/{grant_id}/revoke", summary="Revoke a grant, with a justification")
def revoke(
    request: Request,
    grant_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    justification: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
) -> Response:
    if not justification.strip():
        return _grants_page(
            request,
            viewer,
            clients,
            filters={"subject": subject},
            errors={f"revoke-{grant_id}": "compose.required"},
            status_code=422,
        )
    _, refused, _, status = _attempt(
        lambda: clients.policy.revoke(
            grant_id, user_token=viewer.token, justification=justification.strip()
        )
    )
    if refused:
        return _grants_page(
            request,
            viewer,
            clients,
            filters={"subject": subject},
            refused=refused,
            status_code=status,
        )
    return RedirectResponse(f"/grants?subject={subject}&done=1", status_code=303)
