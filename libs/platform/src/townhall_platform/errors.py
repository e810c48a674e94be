"""One exception hierarchy and one handler: every error is RFC 9457 problem+json.

Domain code raises a `TownhallError` subclass; routers never build error responses
themselves. Each subclass has a stable `type` slug that clients may rely on.
"""

from __future__ import annotations

from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sqlalchemy_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://townhall.dev/problems/"

log = structlog.get_logger("townhall.errors")


class TownhallError(Exception):
    """Base of every error a Townhall service answers with."""

    status: ClassVar[int] = 500
    type_slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = extensions

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": TYPE_BASE + self.type_slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            problem["instance"] = instance
        problem.update(self.extensions)
        return problem


class BadRequest(TownhallError):
    status = 400
    type_slug = "bad-request"
    title = "Bad request"


class MalformedBody(BadRequest):
    type_slug = "malformed-body"
    title = "Malformed request body"


class Unauthenticated(TownhallError):
    status = 401
    type_slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(TownhallError):
    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class PermissionDenied(Forbidden):
    """Policy refused the action; `reason` and `decision_id` travel as extensions."""

    type_slug = "permission-denied"
    title = "Permission denied"


class NotFound(TownhallError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class MethodNotAllowed(TownhallError):
    status = 405
    type_slug = "method-not-allowed"
    title = "Method not allowed"


class Conflict(TownhallError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class PayloadTooLarge(TownhallError):
    status = 413
    type_slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(TownhallError):
    status = 415
    type_slug = "unsupported-media-type"
    title = "Unsupported media type"


class ValidationFailed(TownhallError):
    status = 422
    type_slug = "validation-failed"
    title = "Validation failed"


class TooManyRequests(TownhallError):
    """A rate limit refused the request; `Retry-After` says when to try again."""

    status = 429
    type_slug = "too-many-requests"
    title = "Too many requests"


class BadGateway(TownhallError):
    """Another service answered something unexpected."""

    status = 502
    type_slug = "bad-gateway"
    title = "Unexpected answer from another service"


class DependencyUnavailable(TownhallError):
    """A service we depend on did not answer: fail closed."""

    status = 503
    type_slug = "dependency-unavailable"
    title = "Dependency unavailable"


_STATUS_ERRORS: dict[int, type[TownhallError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationFailed,
    429: TooManyRequests,
    502: BadGateway,
    503: DependencyUnavailable,
}


def problem_response(error: TownhallError, request: Request | None = None) -> JSONResponse:
    """Render `error` as an RFC 9457 response."""
    instance = str(request.url.path) if request is not None else None
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(
        error.to_problem(instance),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _validation_problem(exc: RequestValidationError) -> TownhallError:
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return MalformedBody(f"Request body is not valid JSON: {err.get('msg', '')}".strip())
        errors.append(
            {
                "location": [str(part) for part in err.get("loc", ())],
                "message": str(err.get("msg", "")),
                "kind": str(err.get("type", "")),
            }
        )
    fields = ", ".join(".".join(e["location"]) for e in errors)
    return ValidationFailed(f"Invalid input: {fields}", errors=errors)


# What a database that is down, unreachable, restarting or out of connections raises:
# the driver's connection errors as SQLAlchemy wraps them, a connection SQLAlchemy
# found cut (`connection_invalidated`), and a pool with no connection to give in time.
_DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy_exc.OperationalError,
    sqlalchemy_exc.InterfaceError,
    sqlalchemy_exc.DisconnectionError,
    sqlalchemy_exc.TimeoutError,
)


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached, not that a query is wrong."""
    if isinstance(exc, _DATABASE_UNAVAILABLE):
        return True
    return isinstance(exc, sqlalchemy_exc.DBAPIError) and exc.connection_invalidated


def _database_error_summary(exc: BaseException) -> str:
    """The driver's own message, first line only (no SQL, no parameters)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


class UnhandledErrors:
    """Answers an exception no handler took, and does not let it escape to the server.

    Starlette's outermost middleware answers such an exception and then re-raises it:
    uvicorn logs it a second time and closes the keep-alive connection, so the client's
    next request on it is dropped. Installed innermost, this renders the same answer
    (the app's handler for `Exception`) and stops there. An exception raised after the
    response started still propagates: that response is broken and the connection with it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            request = Request(scope, receive)
            handler = request.app.exception_handlers.get(Exception, _on_unexpected)
            response = await handler(request, exc)
            await response(scope, receive, send)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled_error", path=request.url.path)
    return problem_response(TownhallError("An unexpected error occurred."), request)


def install_problem_handlers(app: FastAPI) -> None:
    """Route every exception an app can raise through problem+json.

    `UnhandledErrors` must also wrap the app (the app factory installs it innermost).
    """

    async def on_townhall_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TownhallError)
        return problem_response(exc, request)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(_validation_problem(exc), request)

    async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        error_class = _STATUS_ERRORS.get(exc.status_code, TownhallError)
        detail = exc.detail if isinstance(exc.detail, str) else None
        error = error_class(detail)
        if error_class is TownhallError:
            error.status = exc.status_code  # type: ignore[misc]
        return problem_response(error, request)

    async def on_database_error(request: Request, exc: Exception) -> Response:
        if not database_unavailable(exc):
            return await _on_unexpected(request, exc)
        # Expected while the database is down: one line, no traceback, and 503.
        log.warning(
            "database_unavailable", path=request.url.path, error=_database_error_summary(exc)
        )
        return problem_response(
            DependencyUnavailable("The database is unavailable.", service="database"), request
        )

    app.add_exception_handler(TownhallError, on_townhall_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    for database_error in (*_DATABASE_UNAVAILABLE, sqlalchemy_exc.DBAPIError):
        app.add_exception_handler(database_error, on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry documenting the problem+json errors of an endpoint."""
    return {
        status: {
            "description": _STATUS_ERRORS.get(status, TownhallError).title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
