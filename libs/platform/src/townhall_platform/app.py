"""The app factory every service uses: errors, logging, auth, health, metrics."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from pydantic import BaseModel

from .auth import (
    Caller,
    TokenIssuer,
    TokenVerifier,
    bearer_token,
    ensure_signing_key,
    require_service,
    require_user,
)
from .errors import PROBLEM_MEDIA_TYPE, UnhandledErrors, install_problem_handlers
from .exposition import exposition
from .health import Readiness, ReadinessCheck
from .logs import configure_logging
from .middleware import BodySizeLimit, RequestContext
from .ratelimit import RateLimitRules, RateLimits, SharedCounters
from .request_text import RefuseControlCharacters
from .service_tokens import ClientCredentialsTokens
from .settings import ServiceSettings
from .tracing import configure_tracing


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


@dataclass
class ServiceIdentity:
    """Verifies incoming tokens and provides this service's own service token."""

    name: str
    verifier: TokenVerifier
    issuer: TokenIssuer | None
    static_service_token: str | None = None
    oauth: ClientCredentialsTokens | None = None
    _cached: tuple[str, float] | None = field(default=None, repr=False)

    def service_token(self) -> str:
        """A token to call other services with: by client credentials when configured,
        else the pre-issued one, else minted locally (development)."""
        if self.oauth is not None:
            return self.oauth.token()
        if self.static_service_token:
            return self.static_service_token
        if self.issuer is None:
            raise RuntimeError("no way to obtain a service token")
        now = time.time()
        if self._cached is None or self._cached[1] - now < 300:
            self._cached = (self.issuer.service_token(self.name, ttl_seconds=3600), now + 3600)
        return self._cached[0]


def build_identity(name: str, settings: ServiceSettings) -> ServiceIdentity:
    """Verification with JWKS in production, with the local key in development."""
    issuer: TokenIssuer | None = None
    public_key = None
    if settings.is_development:
        private_key = ensure_signing_key(settings.signing_key_file)
        public_key = private_key.public_key()
        issuer = TokenIssuer(
            private_key,
            issuer=settings.jwt_issuer,
            user_audience=settings.jwt_audience,
            service_audience=settings.service_audience,
        )
    verifier = TokenVerifier(
        issuer=settings.jwt_issuer,
        user_audience=settings.jwt_audience,
        service_audience=settings.service_audience,
        public_key=public_key if not settings.jwks_url else None,
        jwks_url=settings.jwks_url,
        service_issuer=settings.service_token_issuer,
        service_jwks_url=settings.service_jwks_url,
    )
    static = settings.service_token.get_secret_value() if settings.service_token else None
    oauth = None
    if settings.token_url:
        oauth = ClientCredentialsTokens(
            settings.token_url,
            client_id=settings.client_id or name,
            client_secret=settings.client_secret.get_secret_value()
            if settings.client_secret
            else "",
            scope=settings.token_scope,
            refresh_margin_seconds=settings.token_refresh_margin_seconds,
            timeout_seconds=settings.http_timeout_seconds,
        )
    return ServiceIdentity(
        name=name, verifier=verifier, issuer=issuer, static_service_token=static, oauth=oauth
    )


# Async on purpose: verification is cached CPU work, so a thread-pool hop would cost more.
# The header is read off the request, not declared as a parameter: each declared
# parameter and each level of sub-dependency costs FastAPI a resolution per request.
async def _caller(request: Request) -> Caller:
    return _verify(request)


async def _user(request: Request) -> Caller:
    return require_user(_verify(request))


async def _service(request: Request) -> Caller:
    return require_service(_verify(request))


def _verify(request: Request) -> Caller:
    identity: ServiceIdentity = request.app.state.identity
    return identity.verifier.verify(bearer_token(request.headers.get("authorization")))


AnyCaller = Annotated[Caller, Depends(_caller)]
CurrentUser = Annotated[Caller, Depends(_user)]
CurrentService = Annotated[Caller, Depends(_service)]


def create_app(
    *,
    name: str,
    settings: ServiceSettings,
    routers: Iterable[APIRouter],
    readiness: dict[str, ReadinessCheck],
    lifespan: Any = None,
    description: str = "",
    version: str = "0.1.0",
    registry: CollectorRegistry | None = None,
    search_paths: tuple[str, ...] = (),
    typeahead_paths: tuple[str, ...] = (),
    body_limits: Sequence[tuple[re.Pattern[str], int]] = (),
) -> FastAPI:
    """Assemble a service: routers plus the cross-cutting parts every service shares.

    `search_paths` and `typeahead_paths` are the reads that the rate limits count (writes
    always are); `body_limits`, the paths (uploads) whose bodies may exceed
    `settings.max_body_bytes`, with their own limit."""
    configure_logging(service=name, json=settings.log_json, level=settings.log_level)
    app = FastAPI(
        title=f"Townhall {name}", description=description, version=version, lifespan=lifespan
    )
    app.state.settings = settings
    app.state.identity = build_identity(name, settings)
    if app.state.identity.oauth is not None:
        # Without a token this instance cannot call the others: out of rotation, not 500s.
        readiness["service-token"] = app.state.identity.oauth.check
    app.state.registry = registry or CollectorRegistry()
    app.state.readiness = Readiness(
        readiness,
        deadline_seconds=settings.readiness_check_seconds,
        cache_seconds=settings.readiness_cache_seconds,
    )
    install_problem_handlers(app)
    # Innermost: an unhandled error is answered here and never reaches the server.
    app.add_middleware(UnhandledErrors)
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, larger=body_limits)
    if settings.rate_limits_enabled:
        # Inside the request context, so a 429 carries its request id and is counted.
        app.add_middleware(
            RateLimits,
            rules=_rate_limit_rules(settings, search_paths, typeahead_paths),
            counters=SharedCounters(name, settings.redis_url),
            verify=app.state.identity.verifier.verify,
        )
    app.add_middleware(RequestContext, service=name, registry=app.state.registry)
    app.include_router(_operations_router(name))
    for router in routers:
        app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    configure_tracing(app, name, settings)
    return app


def _rate_limit_rules(
    settings: ServiceSettings, search_paths: tuple[str, ...], typeahead_paths: tuple[str, ...]
) -> RateLimitRules:
    return RateLimitRules(
        writes_per_user=settings.rate_limit_writes_per_minute,
        searches_per_user=settings.rate_limit_searches_per_minute,
        typeahead_per_user=settings.rate_limit_typeahead_per_minute,
        per_address=settings.rate_limit_per_address_per_minute,
        search_paths=search_paths,
        typeahead_paths=typeahead_paths,
    )


def _operations_router(name: str) -> APIRouter:
    """Liveness, readiness and metrics, read from the app's state."""
    health = APIRouter(tags=["operations"])

    # Liveness depends on nothing but this event loop: async, so it needs no thread of
    # the pool that requests waiting on a dependency may all be holding.
    @health.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    @health.get("/readyz", summary="Readiness: database and dependencies answer")
    async def readyz(request: Request) -> JSONResponse:
        readiness: Readiness = request.app.state.readiness
        results = await readiness.results()
        if all(results.values()):
            return JSONResponse({"status": "ready", "checks": results})
        return _not_ready(results, readiness.reasons())

    @health.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
    def metrics(request: Request) -> PlainTextResponse:
        return PlainTextResponse(
            exposition(request.app.state.registry), media_type=CONTENT_TYPE_LATEST
        )

    return health


def _not_ready(results: dict[str, bool], reasons: dict[str, str]) -> JSONResponse:
    """The 503 problem naming the failing checks, with why where a check said so."""
    failing = [f"{k} ({reasons[k]})" if k in reasons else k for k, v in results.items() if not v]
    # RFC 9457: `status` is the HTTP status; the readiness word is kept as `readiness`.
    problem = {
        "type": "https://townhall.dev/problems/not-ready",
        "title": "Not ready",
        "status": 503,
        "detail": "Failing checks: " + ", ".join(failing),
        "readiness": "not-ready",
        "checks": results,
        **({"reasons": reasons} if reasons else {}),
    }
    return JSONResponse(problem, status_code=503, media_type=PROBLEM_MEDIA_TYPE)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The schema with the shared `Problem` model and bearer security, built once."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema()
    schema["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    schema["security"] = [{"bearer": []}]
    app.openapi_schema = schema
    return schema
