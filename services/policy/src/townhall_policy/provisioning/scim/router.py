"""`/scim/v2/Users` and `/scim/v2/Groups`: SCIM 2.0 (RFC 7644) for a provisioning client
(the discovery documents and the rest of `/scim/v2`: `protocol_router`).

Bodies are `application/scim+json` (plain JSON is taken too); errors are SCIM errors
(`errors.py`). Every change is made in the request's one transaction with the client as
actor and `SCIM provisioning by <client>` as justification.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from scim2_models import (
    Context,
    Group,
    InvalidSyntaxException,
    PatchOp,
    ResponseParameters,
    SearchRequest,
)
from sqlmodel import Session

from townhall_policy.deps import SessionDep
from townhall_policy.holdings.directory.models import Subject, SubjectKind
from townhall_policy.provisioning.scim import listing, service
from townhall_policy.provisioning.scim.auth import ScimClientDep
from townhall_policy.provisioning.scim.errors import (
    SCIM_MEDIA_TYPE,
    ScimResponse,
    ScimRoute,
    resource_response,
)
from townhall_policy.provisioning.scim.resources import ScimUser

PREFIX = "/scim/v2"
router = APIRouter(prefix=PREFIX, tags=["scim"], route_class=ScimRoute)
_BODY = {"requestBody": {"content": {SCIM_MEDIA_TYPE: {"schema": {"type": "object"}}}}}


async def _raw_body(request: Request) -> bytes:
    # Read as bytes: FastAPI would parse a JSON body into whatever a Body parameter says,
    # where SCIM's own models (and their errors) must see it.
    return await request.body()


ScimBody = Annotated[bytes, Depends(_raw_body)]
SCIM_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": "A SCIM error (urn:ietf:params:scim:api:messages:2.0:Error)"}
    for status in (400, 401, 403, 404, 409)
}


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidSyntaxException(detail=f"The body is not JSON: {exc}") from exc


def _parameters(request: Request) -> ResponseParameters[Any]:
    query = {name.lower(): value for name, value in request.query_params.items()}
    return ResponseParameters.model_validate(
        {
            "attributes": query.get("attributes"),
            "excludedAttributes": query.get("excludedattributes"),
        }
    )


def _user_answer(
    request: Request, session: Session, subject: Subject, status: int = 200
) -> ScimResponse:
    user = service.user_resource(session, subject, base_url(request))
    body = user.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=_parameters(request)
    )
    location = user.meta.location if user.meta and status == 201 else None
    return resource_response(body, status, location)


def _group_answer(
    request: Request, session: Session, subject: Subject, status: int = 200
) -> ScimResponse:
    group = service.group_resource(session, subject, base_url(request))
    body = group.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=_parameters(request)
    )
    location = group.meta.location if group.meta and status == 201 else None
    return resource_response(body, status, location)


def _list_answer(
    request: Request, session: Session, kind: SubjectKind, search: SearchRequest[Any]
) -> ScimResponse:
    root = base_url(request)
    if kind is SubjectKind.USER:
        return ScimResponse(
            listing.list_resources(
                session,
                kind=kind.value,
                model=ScimUser,
                search=search,
                resource_of=lambda subject: service.user_resource(session, subject, root),
            )
        )
    return ScimResponse(
        listing.list_resources(
            session,
            kind=kind.value,
            model=Group,
            search=search,
            resource_of=lambda subject: service.group_resource(session, subject, root),
        )
    )


# Users


@router.post(
    "/Users",
    status_code=201,
    summary="Provision a user",
    responses=SCIM_ERRORS,
    openapi_extra=_BODY,
)
def post_user(
    request: Request, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    user = ScimUser.model_validate(_json(body), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    subject = service.create_user(session, user, client)
    return _user_answer(request, session, subject, 201)


@router.get("/Users", summary="List users (filter, startIndex, count)", responses=SCIM_ERRORS)
def list_users(request: Request, client: ScimClientDep, session: SessionDep) -> ScimResponse:
    search = listing.search_request(ScimUser, request.query_params)
    return _list_answer(request, session, SubjectKind.USER, search)


@router.post("/Users/.search", summary="Search users (a SearchRequest body)", openapi_extra=_BODY)
def search_users(
    request: Request, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    search = SearchRequest[ScimUser].model_validate(_json(body), scim_ctx=Context.SEARCH_REQUEST)
    return _list_answer(request, session, SubjectKind.USER, search)


@router.get("/Users/{user_id}", summary="One user", responses=SCIM_ERRORS)
def get_user(
    request: Request, user_id: str, client: ScimClientDep, session: SessionDep
) -> ScimResponse:
    return _user_answer(request, session, service.listed(session, user_id, SubjectKind.USER))


@router.put(
    "/Users/{user_id}", summary="Replace a user", responses=SCIM_ERRORS, openapi_extra=_BODY
)
def put_user(
    request: Request, user_id: str, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    user = ScimUser.model_validate(_json(body), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    subject = service.replace_user(session, user_id, user, client)
    return _user_answer(request, session, subject)


@router.patch(
    "/Users/{user_id}", summary="Patch a user (active=false deactivates)", openapi_extra=_BODY
)
def patch_user(
    request: Request, user_id: str, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    subject = service.listed(session, user_id, SubjectKind.USER)
    patch_op = PatchOp[ScimUser].model_validate(
        _json(body), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=service.ENTRA_TOLERANT
    )
    user = service.user_resource(session, subject, base_url(request))
    patched = service.patch(
        session,
        patch_op,
        user,
        lambda changed: service.replace_user(session, user_id, changed, client),
    )
    return _user_answer(request, session, patched or subject)


@router.delete("/Users/{user_id}", status_code=204, summary="Deprovision a user")
def delete_user(user_id: str, client: ScimClientDep, session: SessionDep) -> Response:
    service.delete(session, user_id, SubjectKind.USER, client)
    return Response(status_code=204)


# Groups


@router.post(
    "/Groups",
    status_code=201,
    summary="Provision a group",
    responses=SCIM_ERRORS,
    openapi_extra=_BODY,
)
def post_group(
    request: Request, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    group = Group.model_validate(_json(body), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    subject = service.create_group(session, group, client)
    return _group_answer(request, session, subject, 201)


@router.get("/Groups", summary="List groups (filter, startIndex, count)")
def list_groups(request: Request, client: ScimClientDep, session: SessionDep) -> ScimResponse:
    search = listing.search_request(Group, request.query_params)
    return _list_answer(request, session, SubjectKind.GROUP, search)


@router.post("/Groups/.search", summary="Search groups (a SearchRequest body)", openapi_extra=_BODY)
def search_groups(
    request: Request, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    search = SearchRequest[Group].model_validate(_json(body), scim_ctx=Context.SEARCH_REQUEST)
    return _list_answer(request, session, SubjectKind.GROUP, search)


@router.get("/Groups/{group_id}", summary="One group", responses=SCIM_ERRORS)
def get_group(
    request: Request, group_id: str, client: ScimClientDep, session: SessionDep
) -> ScimResponse:
    return _group_answer(request, session, service.listed(session, group_id, SubjectKind.GROUP))


@router.put(
    "/Groups/{group_id}", summary="Replace a group", responses=SCIM_ERRORS, openapi_extra=_BODY
)
def put_group(
    request: Request, group_id: str, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    group = Group.model_validate(_json(body), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    subject = service.replace_group(session, group_id, group, client)
    return _group_answer(request, session, subject)


@router.patch(
    "/Groups/{group_id}", summary="Patch a group (members add/remove)", openapi_extra=_BODY
)
def patch_group(
    request: Request, group_id: str, client: ScimClientDep, session: SessionDep, body: ScimBody
) -> ScimResponse:
    subject = service.listed(session, group_id, SubjectKind.GROUP)
    patch_op = PatchOp[Group].model_validate(
        _json(body), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=service.ENTRA_TOLERANT
    )
    group = service.group_resource(session, subject, base_url(request))
    patched = service.patch(
        session,
        patch_op,
        group,
        lambda changed: service.replace_group(session, group_id, changed, client),
    )
    return _group_answer(request, session, patched or subject)


@router.delete("/Groups/{group_id}", status_code=204, summary="Deprovision a group")
def delete_group(group_id: str, client: ScimClientDep, session: SessionDep) -> Response:
    service.delete(session, group_id, SubjectKind.GROUP, client)
    return Response(status_code=204)
