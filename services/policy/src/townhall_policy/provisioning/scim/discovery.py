"""What a SCIM client learns before provisioning (RFC 7644 §4): the service provider's
configuration, the resource types and their schemas."""

from __future__ import annotations

from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Meta,
    Mutability,
    Patch,
    Required,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

MAX_RESULTS = 1000


def service_provider_config(base_url: str) -> dict[str, Any]:
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description=(
                    "A token from policy's POST /oauth/token (client credentials) for a "
                    "client listed in TOWNHALL_POLICY_OAUTH_SCIM_CLIENTS."
                ),
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{base_url}/ServiceProviderConfig",
        ),
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def resource_types(base_url: str) -> list[dict[str, Any]]:
    answers = []
    for model in (User[EnterpriseUser], Group):
        resource_type = ResourceType.from_resource(model)
        resource_type.meta = Meta(
            resource_type="ResourceType",
            location=f"{base_url}/ResourceTypes/{resource_type.id}",
        )
        answers.append(resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return answers


# The attributes the directory keeps (with the sub-attributes kept of complex ones; None:
# all). The schemas publish these alone, so a client knows what is stored and what is not.
KEPT: dict[type[Any], dict[str, set[str] | None]] = {
    User: {
        "userName": None,
        "displayName": None,
        "active": None,
        "emails": {"value"},
        "groups": None,
    },
    EnterpriseUser: {"department": None},
    Group: {"displayName": None, "members": {"value", "$ref", "type"}},
}
# A user's userName is its subject id (only its case may change), and every subject has a
# display name and is active or not.
IMMUTABLE = {"userName"}
REQUIRED = {"displayName", "active"}


def _published(model: type[Any]) -> Schema:
    schema: Schema = model.to_schema()
    kept = KEPT[model]
    attributes = []
    for attribute in schema.attributes or ():
        if attribute.name not in kept:
            continue
        subs = kept[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute.sub_attributes = [a for a in attribute.sub_attributes if a.name in subs]
        if attribute.name in IMMUTABLE:
            attribute.mutability = Mutability.immutable
        if attribute.name in REQUIRED:
            attribute.required = Required.true
        attributes.append(attribute)
    schema.attributes = attributes
    return schema


def schemas(base_url: str) -> list[dict[str, Any]]:
    answers = []
    for model in (User, EnterpriseUser, Group):
        schema = _published(model)
        schema.meta = Meta(resource_type="Schema", location=f"{base_url}/Schemas/{schema.id}")
        answers.append(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return answers
