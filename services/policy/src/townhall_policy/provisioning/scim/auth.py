"""Who may call the SCIM endpoints: a provisioning client with a token from policy's own
OAuth endpoint, minted for the SCIM audience with the `scim` scope.

Those tokens carry an audience of their own so that no other service accepts them, and a
service token of the other services (audience `townhall-internal`) is refused here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from scim2_models import ForbiddenException, UnauthorizedException

from townhall_platform.auth import ALGORITHM, SERVICE_SUBJECT_PREFIX
from townhall_policy.oauth.service import SCIM_SCOPE, ServiceTokenIssuer


@dataclass(frozen=True)
class ScimClient:
    """The provisioning client a request comes from (`service:<client id>`)."""

    subject: str

    @property
    def justification(self) -> str:
        return f"SCIM provisioning by {self.subject.removeprefix(SERVICE_SUBJECT_PREFIX)}"


def _claims(issuer: ServiceTokenIssuer, token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            issuer.public_key,
            algorithms=[ALGORITHM],
            audience=issuer.scim_audience,
            issuer=issuer.issuer,
            leeway=10,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.InvalidAudienceError as exc:
        raise ForbiddenException(
            detail="This token is not a SCIM provisioning client's (audience)."
        ) from exc
    except jwt.PyJWTError as exc:
        raise UnauthorizedException(detail=f"Bearer token refused: {exc}") from exc
    return claims


async def scim_client(request: Request) -> ScimClient:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedException(detail="An 'Authorization: Bearer <token>' is required.")
    issuer: ServiceTokenIssuer = request.app.state.oauth_issuer
    claims = _claims(issuer, token.strip())
    scopes = str(claims.get("scope", "")).split()
    subject = str(claims["sub"])
    if SCIM_SCOPE not in scopes or not subject.startswith(SERVICE_SUBJECT_PREFIX):
        raise ForbiddenException(detail=f"The token lacks the {SCIM_SCOPE!r} scope.")
    return ScimClient(subject=subject)


ScimClientDep = Annotated[ScimClient, Depends(scim_client)]
