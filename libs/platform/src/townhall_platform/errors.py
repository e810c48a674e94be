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
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def install_problem_handlers(app: FastAPI) -> None:
    """Route every exception an app can raise through problem+json."""

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

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem_response(TownhallError("An unexpected error occurred."), request)

    app.add_exception_handler(TownhallError, on_townhall_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entry documenting the problem+json errors of an endpoint."""
    return {
        status: {
            "description": _STATUS_ERRORS.get(status, TownhallError).title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
