"""The rest of `/scim/v2`: the discovery documents (public: they describe the service and
hold no data), the cross-type search SCIM allows and this service does not offer, and a
SCIM error for any other path or method. Included after `router`, whose paths it must
not shadow."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from scim2_models import Error, NotFoundException, NotImplementedException

from townhall_policy.provisioning.scim import discovery
from townhall_policy.provisioning.scim.errors import ScimRefusal, ScimResponse, ScimRoute
from townhall_policy.provisioning.scim.router import PREFIX, SCIM_ERRORS, base_url
from townhall_policy.provisioning.scim.router import router as resources_router

router = APIRouter(prefix=PREFIX, tags=["scim"], route_class=ScimRoute)


@router.get("/ServiceProviderConfig", summary="What this SCIM service supports")
def get_service_provider_config(request: Request) -> ScimResponse:
    return ScimResponse(discovery.service_provider_config(base_url(request)))


@router.get("/ResourceTypes", summary="The resource types: User and Group")
def get_resource_types(request: Request) -> ScimResponse:
    found = discovery.resource_types(base_url(request))
    return ScimResponse(_list(found))


@router.get("/ResourceTypes/{name}", summary="One resource type", responses=SCIM_ERRORS)
def get_resource_type(request: Request, name: str) -> ScimResponse:
    return ScimResponse(_one(discovery.resource_types(base_url(request)), name))


@router.get("/Schemas", summary="The schemas of the resources")
def get_schemas(request: Request) -> ScimResponse:
    return ScimResponse(_list(discovery.schemas(base_url(request))))


@router.get("/Schemas/{urn}", summary="One schema", responses=SCIM_ERRORS)
def get_schema(request: Request, urn: str) -> ScimResponse:
    return ScimResponse(_one(discovery.schemas(base_url(request)), urn))


def _list(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _one(resources: list[dict[str, Any]], identifier: str) -> dict[str, Any]:
    for resource in resources:
        if resource.get("id") == identifier:
            return resource
    raise NotFoundException(detail=f"No {identifier!r}.")


@router.post("/.search", summary="Search every resource type at once: not offered (501)")
def search_everything() -> Response:
    raise NotImplementedException(
        detail="Search one resource type at once: POST /Users/.search or /Groups/.search."
    )


@router.api_route(
    "/{anything:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def unknown_endpoint(request: Request, anything: str) -> Response:
    """Anything else under /scim/v2 is a SCIM error (404, or 405 for a known path), not
    the API's problem+json."""
    path = request.url.path
    known = [
        route
        for route in (*resources_router.routes, *router.routes)
        if isinstance(route, APIRoute) and route.name != "unknown_endpoint"
    ]
    if any(route.path_regex.match(path) for route in known):
        raise ScimRefusal(Error(status=405, detail=f"{request.method} is not offered on {path}."))
    raise NotFoundException(detail=f"No SCIM endpoint /{anything}.")
