"""Grant endpoints: the policy admins' `/v1/grants` and the services' internal one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status

from townhall_contracts.policy import ORG_DOMAIN, Action, Role
from townhall_platform.app import CurrentService, CurrentUser
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_platform.params import Instant, NonNegativeInt
from townhall_policy.decisions.service import require_any
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.fields import Justification
from townhall_policy.grants import service
from townhall_policy.grants.schemas import (
    GrantCreate,
    GrantList,
    GrantRead,
    Revocation,
    ServiceGrantCreate,
    ServiceRevocation,
)
from townhall_policy.timestamps import as_utc, utcnow

router = APIRouter(prefix="/v1/grants", tags=["grants"])
internal_router = APIRouter(prefix="/internal/v1/grants", tags=["internal"])


@router.get(
    "",
    response_model=GrantList,
    summary="Grants, current and past (compliance officers and policy admins)",
    responses=problem_responses(401, 403, 422, 503),
)
def get_grants(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    subject: Annotated[str | None, Query(max_length=128)] = None,
    role: Role | None = None,
    domain: Annotated[str | None, Query(max_length=80)] = None,
    active_at: Annotated[
        Instant | None, Query(description="Only grants in force at this instant")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[NonNegativeInt, Query()] = 0,
) -> GrantList:
    """Needs `audit.read` or `grants.manage` in `org`. Revoked grants are listed too."""
    require_any(
        policy.refresh_if_stale(),
        subject=caller.subject,
        actions=[Action.AUDIT_READ, Action.GRANTS_MANAGE],
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )
    now = utcnow()
    grants = service.list_grants(
        session,
        subject_id=subject,
        role=role.value if role else None,
        domain=domain,
        active_at=as_utc(active_at) if active_at else None,
        limit=limit,
        offset=offset,
    )
    return GrantList(grants=[GrantRead.of(g, now=now) for g in grants])


@router.post(
    "",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    summary="Grant a role (policy admins; space owners for member and moderator)",
    responses=problem_responses(400, 401, 403, 409, 413, 422, 503),
)
def post_grant(
    body: GrantCreate, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> GrantRead:
    """Policy admins grant any role; a space's owner grants `member` and `moderator` there.

    Nobody grants to themselves (nor to a group they are in); policy_admin and approver
    (or compliance_officer) never go to the same subject; compliance officers change
    nothing. The grant records who granted it, when and why.
    """
    grant = service.grant_role(
        session,
        policy.refresh_if_stale(),
        subject_id=body.subject,
        role=body.role.value,
        domain=body.domain,
        granted_by=caller.subject,
        justification=body.justification,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
    )
    return GrantRead.of(grant, now=utcnow())


@router.delete(
    "/{grant_id}",
    response_model=GrantRead,
    summary="Revoke a grant (as for granting); the grant and its history are kept",
    description="The last active policy admin's `policy_admin` grant is not revoked (409).",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def delete_grant(
    grant_id: Annotated[str, Path(max_length=36)],
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    body: Annotated[Revocation | None, Body()] = None,
    justification: Annotated[
        Justification | None, Query(description="Alternative to the JSON body")
    ] = None,
) -> GrantRead:
    """The justification comes in a JSON body `{"justification": ...}` or as a query parameter."""
    given = [j for j in (body.justification if body else None, justification) if j is not None]
    if len(given) != 1:
        raise ValidationFailed(
            "Give the revocation's justification once: in the JSON body or as the "
            "`justification` query parameter."
        )
    grant = service.revoke_grant(
        session,
        policy.refresh_if_stale(),
        grant_id=grant_id,
        revoked_by=caller.subject,
        justification=given[0],
    )
    return GrantRead.of(grant, now=utcnow())


@internal_router.post(
    "",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    summary="Grant a space role relayed by a service, on behalf of the human who asked",
    responses={
        200: {"description": "An identical grant is already in force; it is returned"},
        **problem_responses(400, 401, 403, 409, 413, 422, 503),
    },
)
def post_internal_grant(
    body: ServiceGrantCreate,
    caller: CurrentService,
    session: SessionDep,
    policy: PolicyEngineDep,
    response: Response,
) -> GrantRead:
    """Service tokens only, space roles only. `on_behalf_of` is the human who asked: the
    grant passes the very checks of `POST /v1/grants` with them as the granter (the
    creator of a new space becomes its first owner). Safe to retry: 200 with the
    existing grant."""
    grant, created = service.grant_space_role_for_service(
        session,
        policy.refresh_if_stale(),
        service=caller.subject,
        subject_id=body.subject,
        role=body.role.value,
        domain=body.domain,
        on_behalf_of=body.on_behalf_of,
        justification=body.justification,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return GrantRead.of(grant, now=utcnow())


@internal_router.post(
    "/revocations",
    response_model=GrantList,
    summary="Revoke a space role relayed by a service, on behalf of the human who asked",
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
)
def post_internal_revocation(
    body: ServiceRevocation, caller: CurrentService, session: SessionDep, policy: PolicyEngineDep
) -> GrantList:
    """Service tokens only, space roles only. The grants of `role` in `domain` to
    `subject` in force are revoked, authorized as `on_behalf_of`'s own revocation
    (someone leaves a public community themselves); 404 when none is in force."""
    revoked = service.revoke_space_role_for_service(
        session,
        policy.refresh_if_stale(),
        service=caller.subject,
        subject_id=body.subject,
        role=body.role.value,
        domain=body.domain,
        on_behalf_of=body.on_behalf_of,
        justification=body.justification,
    )
    now = utcnow()
    return GrantList(grants=[GrantRead.of(grant, now=now) for grant in revoked])
