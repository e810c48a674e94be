"""`POST /oauth/token` (client credentials) and `GET /.well-known/jwks.json`.

The token endpoint answers in RFC 6749's own format (`{"error": ...}`), not problem+json:
OAuth clients, authlib's among them, read that format and no other.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs, unquote_plus

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from townhall_platform.errors import UnsupportedMediaType
from townhall_policy.oauth.service import OAuthError, ServiceTokenIssuer

router = APIRouter(tags=["oauth"])
log = structlog.get_logger("townhall.policy.oauth")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM = "application/x-www-form-urlencoded"


@router.post(
    "/oauth/token",
    summary="A service token by the OAuth 2.0 client-credentials grant (RFC 6749 §4.4)",
    responses={400: {"description": "RFC 6749 error"}, 401: {"description": "invalid_client"}},
)
async def token(request: Request) -> JSONResponse:
    if request.headers.get("content-type", "").split(";")[0].strip() != _FORM:
        raise UnsupportedMediaType(f"The token endpoint takes {_FORM}.")
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("latin-1")).items()}
    issuer: ServiceTokenIssuer = request.app.state.oauth_issuer
    try:
        client_id, secret = _client_credentials(request.headers.get("authorization"), form)
        issued = issuer.issue(form.get("grant_type"), client_id, secret, form.get("scope"))
    except OAuthError as exc:
        log.warning("oauth_token_refused", error=exc.error, client_id=form.get("client_id"))
        headers = dict(_NO_STORE)
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="townhall"'
        body = {"error": exc.error, "error_description": exc.description}
        return JSONResponse(body, status_code=exc.status, headers=headers)
    log.info("oauth_token_issued", client_id=client_id, expires_in=issued.expires_in)
    return JSONResponse(issued.body(), headers=_NO_STORE)


@router.get("/.well-known/jwks.json", summary="The public keys service tokens are signed with")
async def jwks(request: Request) -> dict[str, Any]:
    issuer: ServiceTokenIssuer = request.app.state.oauth_issuer
    return issuer.jwks()


def _client_credentials(
    authorization: str | None, form: dict[str, str]
) -> tuple[str | None, str | None]:
    """client_secret_basic (RFC 6749 §2.3.1, form-encoded id and secret) or client_secret_post."""
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "Malformed Basic credentials.", 401) from exc
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "Malformed Basic credentials.", 401)
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id"), form.get("client_secret")
