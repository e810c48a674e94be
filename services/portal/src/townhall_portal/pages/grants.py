"""Policy admins: grant and revoke, always with a justification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from townhall_platform.params import ResourceId

from ..forms import FormRefused, FormState, parse_instant, refusals
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer, render_form

router = APIRouter(tags=["staff"])


ROLES = (
    "employee",
    "communicator",
    "approver",
    "spokesperson",
    "moderator",
    "compliance_officer",
    "policy_admin",
    "owner",
    "member",
)


def _grants_page(
    request: Request,
    viewer: Viewer,
    clients: ClientsDep,
    form: FormState | None = None,
    *,
    filters: dict[str, str],
    notice: str | None = None,
) -> Response:
    form = form or FormState(values={"domain": "org"})
    listing = clients.policy.grants(
        user_token=viewer.token,
        subject=filters.get("subject") or None,
        domain=filters.get("domain") or None,
    )
    grants = listing.get("grants", []) if isinstance(listing, dict) else listing
    return render_form(
        request,
        "grants.html",
        form,
        {
            "grants": [g for g in grants if g.get("active", True)],
            "filters": filters,
            "notice": notice,
            "roles": ROLES,
        },
        viewer=viewer,
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


def _grant(clients: ClientsDep, viewer: Viewer, values: dict[str, str]) -> None:
    """Ask policy for the grant the form describes; `FormRefused` when it is refused."""
    errors = {
        name: "compose.required"
        for name in ("subject", "role", "domain", "justification")
        if not values[name].strip()
    }
    until = parse_instant(values["valid_to"])
    if values["valid_to"].strip() and until is None:
        errors["valid_to"] = "official.publish_at_invalid"
    if errors:
        raise FormRefused(errors=errors)
    with refusals():
        clients.policy.grant(
            user_token=viewer.token,
            subject=values["subject"].strip(),
            role=values["role"].strip(),
            domain=values["domain"].strip(),
            valid_to=until.isoformat() if until else None,
            justification=values["justification"].strip(),
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
    try:
        _grant(clients, viewer, values)
    except FormRefused as refused:
        form = refused.state(values)
        return _grants_page(request, viewer, clients, form, filters={"subject": subject.strip()})
    return RedirectResponse(f"/grants?subject={subject.strip()}&done=1", status_code=303)


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
    try:
        if not justification.strip():
            raise FormRefused(errors={f"revoke-{grant_id}": "compose.required"})
        with refusals():
            clients.policy.revoke(
                grant_id, user_token=viewer.token, justification=justification.strip()
            )
    except FormRefused as refused:
        form = refused.state({"domain": "org"})
        return _grants_page(request, viewer, clients, form, filters={"subject": subject})
    return RedirectResponse(f"/grants?subject={subject}&done=1", status_code=303)
