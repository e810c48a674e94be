"""Registering space domains (publishing tells policy each space's kind and visibility)."""

from __future__ import annotations

import re

from sqlmodel import Session

from townhall_contracts.policy import DOMAIN_PATTERN, ORG_DOMAIN, SpaceKind
from townhall_policy.audit.trail import record_event
from townhall_policy.domains import repository
from townhall_policy.domains.errors import InvalidSpaceDomain
from townhall_policy.domains.models import Domain
from townhall_policy.timestamps import utcnow

_DOMAIN = re.compile(DOMAIN_PATTERN)


def register_space_domain(
    session: Session,
    *,
    domain_id: str,
    kind: SpaceKind,
    visibility: str,
    actor: str = "system",
) -> tuple[Domain, bool]:
    """Register or update a space domain; True when something changed (and was recorded)."""
    if domain_id == ORG_DOMAIN or not _DOMAIN.fullmatch(domain_id):
        raise InvalidSpaceDomain(
            f"{domain_id!r} is not a space domain: expected 'space:<id>' with a lowercase id."
        )
    now = utcnow()
    domain = repository.get_domain(session, domain_id)
    if domain is None:
        domain = Domain(
            id=domain_id, kind=kind.value, visibility=visibility, created_at=now, updated_at=now
        )
        event_type = "domain.registered"
        previous: dict[str, str | None] = {}
    elif domain.kind == kind.value and domain.visibility == visibility:
        return domain, False
    else:
        event_type = "domain.updated"
        previous = {"previous_kind": domain.kind, "previous_visibility": domain.visibility}
        domain.kind = kind.value
        domain.visibility = visibility
        domain.updated_at = now
    repository.save_domain(session, domain)
    record_event(
        session,
        actor=actor,
        event_type=event_type,
        target=f"domain:{domain_id}",
        domain=domain_id,
        payload={"kind": kind.value, "visibility": visibility, **previous},
    )
    return domain, True
