"""`GET /Users` and `GET /Groups`: filtered, paged lists (RFC 7644 §3.4.2).

The filters provisioning clients send to match an account before they create it
(`userName eq`, `externalId eq`, `displayName eq`, `id eq`) run in the database. Any other
valid filter is evaluated by scim2-models on every listed subject of the kind: correct,
but a scan of the directory, which no provisioning client makes in its routine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from scim2_models import Context, ListResponse, Resource, SearchRequest
from scim2_models.path import CompareOperator, Comparison
from sqlmodel import Session

from townhall_policy.holdings.directory.models import Subject
from townhall_policy.provisioning.scim import repository
from townhall_policy.provisioning.scim.discovery import MAX_RESULTS

R = TypeVar("R", bound=Resource[Any])
# SCIM attribute → the column its equality filter compares (a user's userName is its id).
_INDEXED = {
    "username": "id",
    "id": "id",
    "externalid": "external_id",
    "displayname": "display_name",
}
_PARAMETERS = {
    "filter": "filter",
    "attributes": "attributes",
    "excludedattributes": "excludedAttributes",
    "sortby": "sortBy",
    "sortorder": "sortOrder",
}


def search_request(model: type[R], query: Mapping[str, str]) -> SearchRequest[R]:
    """The request's query as a SearchRequest (a bad filter or attribute: a SCIM 400)."""
    lowered = {name.lower(): value for name, value in query.items()}
    body: dict[str, Any] = {
        wire: lowered[name] for name, wire in _PARAMETERS.items() if name in lowered
    }
    for name, wire in (("startindex", "startIndex"), ("count", "count")):
        if name in lowered:
            body[wire] = lowered[name]
    search: SearchRequest[R] = SearchRequest[model].model_validate(  # type: ignore[valid-type]
        body, scim_ctx=Context.SEARCH_REQUEST
    )
    return search


def _indexed_equality(search: SearchRequest[Any]) -> tuple[str, str] | None:
    if search.filter is None:
        return None
    node = search.filter.ast
    if not isinstance(node, Comparison) or node.op is not CompareOperator.eq:
        return None
    path = node.attr_path
    column = _INDEXED.get(path.attr.lower())
    if column is None or path.sub_attr is not None or not isinstance(node.value, str):
        return None
    return column, node.value


def list_resources(
    session: Session,
    *,
    kind: str,
    model: type[R],
    search: SearchRequest[R],
    resource_of: Callable[[Subject], R],
) -> dict[str, Any]:
    start = max(search.start_index or 1, 1)
    count = min(max(search.count if search.count is not None else 100, 0), MAX_RESULTS)
    equality = _indexed_equality(search)
    if search.filter is None or equality is not None:
        total, rows = repository.page(
            session, kind=kind, equals=equality, offset=start - 1, limit=count
        )
        resources: Sequence[R] = [resource_of(subject) for subject in rows]
    else:
        matching = [
            resource
            for resource in (resource_of(s) for s in repository.every_listed(session, kind))
            if search.filter.match(resource)
        ]
        total, resources = len(matching), matching[start - 1 : start - 1 + count]
    answer = ListResponse[model](  # type: ignore[valid-type]
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=list(resources) or None,
    )
    return answer.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search)
