"""SCIM endpoints answer errors in SCIM's own format (RFC 7644 §3.12,
`urn:ietf:params:scim:api:messages:2.0:Error`), not problem+json: provisioning clients
(Entra ID, Okta, scim2-client) read that format and no other.

A route class translates whatever a SCIM endpoint raises: SCIM exceptions as they are,
the directory's own refusals by their status (422 becomes SCIM's 400 `invalidValue`), and
a body that is no valid resource as the validation error it is. The request's transaction
is rolled back before the error is answered, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import ValidationError
from scim2_models import Error, SCIMException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from townhall_platform.errors import Conflict, TownhallError, ValidationFailed

SCIM_MEDIA_TYPE = "application/scim+json"


class ScimResponse(JSONResponse):
    media_type = SCIM_MEDIA_TYPE


def scim_error(error: Error) -> ScimResponse:
    status = int(error.status or 400)
    headers = {"WWW-Authenticate": 'Bearer realm="townhall-scim"'} if status == 401 else None
    return ScimResponse(error.model_dump(), status_code=status, headers=headers)


def _from_townhall(exc: TownhallError) -> Error:
    if isinstance(exc, ValidationFailed):
        return Error(status=400, scim_type="invalidValue", detail=exc.detail)
    if isinstance(exc, Conflict) and exc.type_slug == "subject-exists":
        return Error(status=409, scim_type="uniqueness", detail=exc.detail)
    return Error(status=exc.status, detail=exc.detail)


def error_of(exc: Exception) -> Error | None:
    """The SCIM error an exception stands for, or None for a fault of ours."""
    if isinstance(exc, SCIMException):
        return exc.to_error()
    if isinstance(exc, ValidationError):
        return Error.from_validation_errors(exc)[0]
    if isinstance(exc, TownhallError):
        return _from_townhall(exc)
    return None


class ScimRefusal(Exception):
    """A refusal on its way out as a SCIM error; `install_scim_errors` answers it."""

    def __init__(self, error: Error) -> None:
        super().__init__(error.detail)
        self.error = error


class ScimRoute(APIRoute):
    """An APIRoute whose refusals are SCIM errors.

    The refusal is raised on, not answered here: only an exception leaving the endpoint
    rolls back the request's transaction (a dependency with yield sees it).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                error = error_of(exc)
                if error is None:
                    raise
                raise ScimRefusal(error) from exc

        return scim_handler


async def _answer_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScimRefusal)
    return scim_error(exc.error)


def install_scim_errors(app: FastAPI) -> None:
    app.add_exception_handler(ScimRefusal, _answer_refusal)


def resource_response(
    body: dict[str, Any], status: int = 200, location: str | None = None
) -> ScimResponse:
    headers = {"Location": location} if location else None
    return ScimResponse(body, status_code=status, headers=headers)
