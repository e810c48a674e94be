"""Spaces: who sees which, and creating one with its policy domain and owner."""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action, SpaceKind
from townhall_contracts.readers import AUDITOR, Visibility, space_principal

from ..policy_gate import PolicyGate
from .errors import SpaceAlreadyExists, SpaceNotFound
from .models import Space
from .repository import SpaceRepository
from .schemas import SpaceCreate


def space_visible_to(space: Space, principals: Set[str]) -> bool:
    """Public spaces are seen by everyone; restricted ones by their members and compliance."""
    if space.visibility == Visibility.PUBLIC:
        return True
    return space_principal(space.id) in principals or AUDITOR in principals


def list_visible_spaces(*, session: Session, gate: PolicyGate, subject: str) -> list[Space]:
    """The active spaces `subject` may see."""
    principals = gate.principals(subject)
    spaces = SpaceRepository(session).list_active()
    return [space for space in spaces if space_visible_to(space, principals)]


def get_visible_space(*, session: Session, gate: PolicyGate, subject: str, space_id: str) -> Space:
    """The space, or `SpaceNotFound` when it does not exist or `subject` may not see it."""
    space = SpaceRepository(session).get(space_id)
    if space is None:
        raise SpaceNotFound(f"No space '{space_id}'.")
    # Only restricted spaces cost a principals lookup; public ones are no secret.
    if space.visibility != Visibility.PUBLIC and not space_visible_to(
        space, gate.principals(subject)
    ):
        raise SpaceNotFound(f"No space '{space_id}'.")
    return space


def create_space(
    *, session: Session, gate: PolicyGate, creator: str, request: SpaceCreate
) -> Space:
    """Create a space: policy allows it, knows its domain and makes the creator its owner."""
    decision = gate.require(subject=creator, action=Action.MANAGE_SPACE, domain=ORG_DOMAIN)
    if request.kind is SpaceKind.ANNOUNCEMENT:
        # An announcement space is an official channel: only who may publish officially opens one.
        gate.require(subject=creator, action=Action.PUBLISH_OFFICIAL, domain=ORG_DOMAIN)
    repository = SpaceRepository(session)
    if repository.get(request.id) is not None:
        raise SpaceAlreadyExists(f"A space '{request.id}' already exists.")
    gate.register_space(space_id=request.id, kind=request.kind, visibility=request.visibility)
    gate.grant_space_owner(
        space_id=request.id,
        owner=creator,
        justification=f"Created the space '{request.id}' ({request.name}).",
    )
    space = Space(
        id=request.id,
        name=request.name,
        kind=request.kind.value,
        visibility=request.visibility.value,
        description=request.description,
        created_by=creator,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )
    try:
        repository.add(space)
    except IntegrityError as exc:
        # Another request created the same id between our check and our insert.
        raise SpaceAlreadyExists(f"A space '{request.id}' already exists.") from exc
    return space
