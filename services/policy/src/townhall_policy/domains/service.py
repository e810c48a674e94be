"""Registering space domains (publishing tells policy each space's kind and visibility)."""

from __future__ import annotations

import re

from sqlmodel import Session

from townhall_contracts.policy import DOMAIN_PATTERN, ORG_DOMAIN, Action, SpaceKind
from townhall_policy.audit.trail import record_event
from townhall_policy.decisions.service import require
from townhall_policy.domains import repository
from townhall_policy.domains.errors import InvalidSpaceDomain
from townhall_policy.domains.models import Domain
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.timestamps import utcnow

_DOMAIN = re.compile(DOMAIN_PATTERN)


def register_space_domain_for(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    service: str,
    on_behalf_of: str,
    domain_id: str,
    kind: SpaceKind,
    visibility: str,
) -> tuple[Domain, bool]:
    """Register or update a space domain that a service relays for the human who asked.

    The service adds no authority of its own: creating a space needs `manage.space` in
    org, changing one `manage.space` in it (its owners), as publishing asks of the human
    itself; the event is the human's, relayed by the service. Repeating what is
    registered changes nothing and needs what creating needs, so a creator's retried
    creation passes before they are made its owner.
    """
    _check_space_domain(domain_id)
    existing = repository.get_domain(session, domain_id)
    unchanged = existing is None or (
        existing.kind == kind.value and existing.visibility == visibility
    )
    where = ORG_DOMAIN if unchanged else domain_id
    require(snapshot, subject=on_behalf_of, action=Action.MANAGE_SPACE, domain=where)
    return register_space_domain(
        session,
        domain_id=domain_id,
        kind=kind,
        visibility=visibility,
        actor=on_behalf_of,
        via=service,
    )


def register_space_domain(
    session: Session,
    *,
    domain_id: str,
    kind: SpaceKind,
    visibility: str,
    actor: str = "system",
    via: str | None = None,
) -> tuple[Domain, bool]:
    """Register or update a space domain; True when something changed (and was recorded)."""
    _check_space_domain(domain_id)
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
        payload={"kind": kind.value, "visibility": visibility, **previous, "via": via},
    )
    return domain, True


def _check_space_domain(domain_id: str) -> None:
    if domain_id == ORG_DOMAIN or not _DOMAIN.fullmatch(domain_id):
        raise InvalidSpaceDomain(
            f"{domain_id!r} is not a space domain: expected 'space:<id>' with a lowercase id."
        )
