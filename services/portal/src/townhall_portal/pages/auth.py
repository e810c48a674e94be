"""Sign-in (demo picker in development, OpenID Connect in production), sign-out, language."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Form, Query, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import RedirectResponse, Response

from townhall_clients import ServiceUnavailable
from townhall_contracts import demo

from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..oidc import OidcClient, PendingSignIn, SignInFailed
from ..web import CsrfChecked, codec, render, safe_next, settings_of

router = APIRouter(tags=["sign-in"])
log = structlog.get_logger("townhall.portal.sign-in")

OIDC_COOKIE = "townhall_oidc"


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
    request: Request, *, subject: str, token: str, name: str, next_path: str, id_token: str = ""
) -> Response:
    # The navigation is decided on each page from the user's current roles, not here.
    response = RedirectResponse(next_path, status_code=303)
    codec(request).open(response, subject=subject, token=token, name=name, id_token=id_token)
    return response


@router.post("/sign-in", summary="Development sign-in as a demo user")
def demo_sign_in(
    request: Request,
    _csrf: CsrfChecked,
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
        subject=signed_in.subject,
        token=signed_in.access_token,
        name=signed_in.name,
        next_path=pending.next_path,
        id_token=signed_in.id_token,
    )
    response.delete_cookie(OIDC_COOKIE, path="/")
    return response


@router.post("/sign-out", summary="End the session (and the provider's, when it offers to)")
def sign_out(request: Request, _csrf: CsrfChecked) -> Response:
    sessions = codec(request)
    session = sessions.load(request)
    oidc = _oidc(request)
    target = "/sign-in"
    if oidc is not None and session is not None and session.id_token:
        sign_in_page = settings_of(request).public_url.rstrip("/") + "/sign-in"
        try:
            target = (
                oidc.end_session_url(
                    id_token=session.id_token, post_logout_redirect_uri=sign_in_page
                )
                or target
            )
        except ServiceUnavailable:
            # The provider is down: the portal's session ends anyway.
            log.warning("end_session_unavailable", subject=session.subject)
    response = RedirectResponse(target, status_code=303)
    sessions.end(session, response)
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
