"""Internal endpoint through which publishing registers its spaces' domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from townhall_contracts.policy import DomainRegistration, SpaceKind
from townhall_platform.app import CurrentService
from townhall_platform.errors import problem_responses
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.domains.schemas import DomainRead
from townhall_policy.domains.service import register_space_domain_for

router = APIRouter(prefix="/internal/v1/domains", tags=["internal"])


@router.put(
    "/{domain}",
    response_model=DomainRead,
    summary="Register or update a space domain for a human (service tokens only; idempotent)",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
def put_domain(
    domain: Annotated[str, Path(max_length=80, examples=["space:engineering"])],
    body: DomainRegistration,
    caller: CurrentService,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> DomainRead:
    """Same body twice changes nothing; a new kind or visibility bumps the revision.
    `on_behalf_of` is the human who asked: creating a space needs `manage.space` in org,
    changing one `manage.space` in it; the event is recorded as theirs."""
    registered, _ = register_space_domain_for(
        session,
        policy.refresh_if_stale(),
        service=caller.subject,
        on_behalf_of=body.on_behalf_of,
        domain_id=domain,
        kind=SpaceKind(body.kind),
        visibility=body.visibility,
    )
    return DomainRead(
        id=registered.id,
        kind=registered.kind,
        visibility=registered.visibility,
        domain_class=registered.domain_class,
        created_at=registered.created_at,
        updated_at=registered.updated_at,
    )
