"""The portal's app factory: pages, static files, sessions, and errors rendered as pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response

from townhall_clients import (
    CircuitBreaker,
    NotificationsClient,
    PublishingClient,
    SearchClient,
    ServiceUnavailable,
    UnexpectedResponse,
)
from townhall_clients.policy_audit import PolicyAuditClient
from townhall_platform.app import create_app as create_service_app

from .forms import plain_refusal, refusal
from .i18n import LANGUAGES
from .navigation import Navigation
from .oidc import OidcClient
from .pages import ROUTERS
from .people import Directory
from .revocations import session_revocations
from .session import SessionCodec
from .settings import PortalSettings
from .static_files import STATIC, CachedStaticFiles, static_url
from .templating import templates_for
from .web import (
    Clients,
    CsrfRefused,
    SignInRequired,
    asked_path,
    codec,
    render,
    sign_in_url,
)

log = structlog.get_logger("townhall.portal")

# Images only from the portal itself: a post's are proxied from publishing, under its
# readers rule; no other origin, no `data:` URL.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# The forms that carry files take larger bodies (publishing holds each file to its limits).
UPLOAD_FORMS = (re.compile(r"^/compose$"), re.compile(r"^/posts/[^/]+/media/add$"))


def _no_service_token() -> str:
    # The portal calls the APIs only as the signed-in user; it never uses a service token.
    raise RuntimeError("the portal calls the APIs with the user's token only")


def build_clients(settings: PortalSettings) -> Clients:
    """The typed clients; every call passes the user's token."""
    timeout = settings.http_timeout_seconds
    return Clients(
        publishing=PublishingClient(
            settings.publishing_url, token=_no_service_token, timeout=timeout, retries=2
        ),
        search=SearchClient(
            settings.search_url, token=_no_service_token, timeout=timeout, retries=2
        ),
        policy=PolicyAuditClient(
            settings.policy_url, token=_no_service_token, timeout=timeout, retries=2
        ),
        notifications=build_notifications_client(settings),
    )


def build_notifications_client(settings: PortalSettings) -> NotificationsClient | None:
    """The inbox's client, when the notifications service is configured."""
    if not settings.notifications_url:
        return None
    deadline = settings.notifications_deadline_seconds
    return NotificationsClient(
        settings.notifications_url,
        token=_no_service_token,
        timeout=deadline,
        deadline=deadline,
        retries=2,
        breaker=CircuitBreaker(NotificationsClient.service_name),
    )


async def _unexpected_response(request: Request, exc: Exception) -> Response:
    """An API's answer the page did not expect: its refusal, or a clear error page."""
    assert isinstance(exc, UnexpectedResponse)
    if exc.status_code == 401:
        # The API no longer accepts the token: the session is over.
        response = RedirectResponse(sign_in_url(asked_path(request), expired=True), 303)
        codec(request).close(response)
        return response
    if exc.status_code == 404:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)
    if exc.status_code == 403:
        return render(
            request,
            "error.html",
            {"message_key": "error.refused", "plain": plain_refusal(exc), "reason": refusal(exc)},
            status_code=403,
        )
    log.warning("unexpected_response", status=exc.status_code, problem=exc.problem)
    return render(request, "error.html", {"message_key": "error.unexpected"}, status_code=502)


def build_oidc(settings: PortalSettings) -> OidcClient | None:
    """The OpenID Connect client when sign-in goes through the company's provider."""
    if not settings.oidc_enabled:
        return None
    secret = settings.oidc_client_secret
    return OidcClient(
        issuer=settings.oidc_issuer or "",
        client_id=settings.oidc_client_id or "",
        client_secret=secret.get_secret_value() if secret else "",
        redirect_uri=settings.public_url.rstrip("/") + "/auth/callback",
        scopes=settings.oidc_scopes,
        timeout=settings.http_timeout_seconds,
    )


def install_page_errors(app: FastAPI) -> None:
    """Every error becomes a page in the user's language, never a stack trace."""

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        response = RedirectResponse(sign_in_url(exc.next_path, expired=exc.expired), 303)
        if exc.expired:
            codec(request).close(response)
        return response

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"message_key": "error.csrf"}, status_code=403)

    async def service_unavailable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceUnavailable)
        service = str(exc.extensions.get("service", "")) or "?"
        log.warning("service_unavailable", service=service, detail=exc.detail)
        return render(
            request,
            "error.html",
            {"message_key": "error.service_down", "service": service},
            status_code=503,
        )

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        key = "error.not_found" if exc.status_code == 404 else "error.unexpected"
        return render(request, "error.html", {"message_key": key}, status_code=exc.status_code)

    async def bad_input(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"message_key": "error.not_found"}, status_code=400)

    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path)
        return render(request, "error.html", {"message_key": "error.unexpected"}, status_code=500)

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(ServiceUnavailable, service_unavailable)
    app.add_exception_handler(UnexpectedResponse, _unexpected_response)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_input)
    app.add_exception_handler(Exception, crashed)


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    """Build the portal; it keeps no data, only clients of the three APIs."""
    settings = settings or PortalSettings()
    clients = build_clients(settings)
    # Every catalogue compiled now: a broken one stops the start, not a reader's page.
    for language in LANGUAGES:
        templates_for(language)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        clients.close()

    app = create_service_app(
        name="portal",
        settings=settings,
        routers=ROUTERS,
        readiness={},
        lifespan=lifespan,
        description="Server-rendered pages over the policy, publishing and search APIs.",
        body_limits=[(pattern, settings.upload_max_bytes) for pattern in UPLOAD_FORMS],
    )
    app.state.clients = clients
    app.state.navigation = Navigation(
        policy=clients.policy,
        publishing=clients.publishing,
        revision_check_seconds=settings.navigation_revision_check_seconds,
    )
    app.state.directory = Directory(policy=clients.policy, ttl_seconds=settings.names_cache_seconds)
    app.state.sessions = SessionCodec(
        settings.session_secret.get_secret_value(),
        max_age_seconds=settings.session_max_age_seconds,
        secure=settings.secure_cookies,
        revocations=session_revocations(settings.session_revocations_file),
    )
    app.state.oidc = build_oidc(settings)
    app.mount("/static", CachedStaticFiles(directory=STATIC), name="static")
    install_page_errors(app)
    # Pages are several times smaller compressed; the CSRF token they carry is masked
    # afresh on each page, so compression does not leak it (see session.py).
    app.add_middleware(GZipMiddleware, minimum_size=512, compresslevel=6)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # Browsers ask this path before reading the page's <link rel="icon">.
        return RedirectResponse(static_url("favicon.svg"), status_code=301)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: object) -> Response:
        response: Response = await call_next(request)  # type: ignore[operator]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return app
