"""Sign-in (demo picker in development, OpenID Connect in production), sign-out, language."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_contracts import demo

from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..oidc import OidcClient, PendingSignIn, SignInFailed
from ..web import ClientsDep, CsrfChecked, codec, render, safe_next, settings_of

router = APIRouter(tags=["sign-in"])

OIDC_COOKIE = "townhall_oidc"
# Org-level actions asked of policy at sign-in, to offer only the pages one can use.
NAVIGATION_ACTIONS = (
    "post.official",
    "approve.official",
    "answer.official",
    "endorse",
    "moderate",
    "audit.read",
    "grants.manage",
)


def _capabilities(clients: ClientsDep, *, subject: str, token: str) -> frozenset[str]:
    """The actions policy allows the user in the company or in any space they can see."""
    domains = ["org"]
    with contextlib.suppress(UnexpectedResponse):
        domains += [f"space:{s['id']}" for s in clients.publishing.spaces(user_token=token)]
    body = {
        "decisions": [
            {"subject": subject, "action": action, "domain": domain}
            for action in NAVIGATION_ACTIONS
            for domain in domains
        ]
    }
    try:
        answer = clients.policy.post_json("/v1/decisions/batch", user_token=token, body=body)
    except UnexpectedResponse:
        return frozenset()
    return frozenset(d["action"] for d in answer.get("decisions", []) if d.get("allowed"))


def _sign_in_page(
    request: Request, next_path: str, *, status_code: int = 200, **context: Any
) -> Response:
    users = demo.USERS if settings_of(request).demo_login else ()
    return render(
        request,
        "sign_in.html",
        {"next": next_path, "users": users, **context},
        status_code=status_code,
    )


@router.get("/sign-in", summary="Sign-in page")
def sign_in_page(
    request: Request,
    next: Annotated[str | None, Query()] = None,
    expired: Annotated[str | None, Query()] = None,
) -> Response:
    return _sign_in_page(request, safe_next(next), expired=bool(expired))


def _open_session(
    request: Request, clients: ClientsDep, *, subject: str, token: str, name: str, next_path: str
) -> Response:
    capabilities = _capabilities(clients, subject=subject, token=token)
    response = RedirectResponse(next_path, status_code=303)
    codec(request).open(
        response, subject=subject, token=token, name=name, capabilities=capabilities
    )
    return response


@router.post("/sign-in", summary="Development sign-in as a demo user")
def demo_sign_in(
    request: Request,
    _csrf: CsrfChecked,
    clients: ClientsDep,
    user: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = settings_of(request)
    identity = request.app.state.identity
    if not settings.demo_login or identity.issuer is None:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    known = {u.id: u for u in demo.USERS}
    if user not in known:
        return _sign_in_page(
            request, safe_next(next), status_code=422, errors={"user": "signin.unknown_user"}
        )
    token = identity.issuer.user_token(user, ttl_seconds=settings.demo_token_ttl_seconds)
    return _open_session(
        request,
        clients,
        subject=user,
        token=token,
        name=known[user].name,
        next_path=safe_next(next),
    )


def _oidc(request: Request) -> OidcClient | None:
    return request.app.state.oidc  # type: ignore[no-any-return]


def _pending_serializer(request: Request) -> URLSafeTimedSerializer:
    secret = settings_of(request).session_secret.get_secret_value()
    return URLSafeTimedSerializer(secret, salt="townhall-portal-oidc")


@router.get("/sign-in/oidc", summary="Start the OpenID Connect sign-in")
def oidc_begin(
    request: Request,
    next: Annotated[str | None, Query()] = None,
) -> Response:
    oidc = _oidc(request)
    if oidc is None:
        return render(request, "error.html", {"message_key": "signin.unavailable"}, status_code=404)
    url, pending = oidc.begin(safe_next(next))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        OIDC_COOKIE,
        _pending_serializer(request).dumps(pending.as_dict()),
        max_age=600,
        httponly=True,
        secure=settings_of(request).secure_cookies,
        samesite="lax",
        path="/",
    )
    return response


@router.get("/auth/callback", summary="OpenID Connect redirect URI")
def oidc_callback(
    request: Request,
    clients: ClientsDep,
    code: Annotated[str, Query()] = "",
    state: Annotated[str, Query()] = "",
) -> Response:
    oidc = _oidc(request)
    raw = request.cookies.get(OIDC_COOKIE, "")
    if oidc is None or not code or not raw:
        return _sign_in_page(request, "/", status_code=400, failed=True)
    try:
        pending = PendingSignIn.from_dict(_pending_serializer(request).loads(raw, max_age=600))
        signed_in = oidc.finish(code=code, state=state, pending=pending)
    except (BadSignature, KeyError, SignInFailed):
        return _sign_in_page(request, "/", status_code=400, failed=True)
    response = _open_session(
        request,
        clients,
        subject=signed_in.subject,
        token=signed_in.access_token,
        name=signed_in.name,
        next_path=pending.next_path,
    )
    response.delete_cookie(OIDC_COOKIE, path="/")
    return response


@router.post("/sign-out", summary="End the session")
def sign_out(request: Request, _csrf: CsrfChecked) -> Response:
    response = RedirectResponse("/sign-in", status_code=303)
    codec(request).close(response)
    return response


@router.post("/language", summary="Choose the portal's language")
def choose_language(
    request: Request,
    _csrf: CsrfChecked,
    lang: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            secure=settings_of(request).secure_cookies,
            samesite="lax",
            path="/",
        )
    return response
