"""Spaces: who sees which, and creating one with its policy domain and owner."""

from __future__ import annotations

from collections.abc import Callable, Set
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from townhall_contracts.policy import ORG_DOMAIN, Action, Role, SpaceKind, space_domain
from townhall_contracts.readers import AUDITOR, ORG, Visibility, space_principal

from ..database import utcnow
from ..policy_gate import PolicyGate
from .errors import SpaceAlreadyExists, SpaceArchived, SpaceNotFound, UnknownSubject
from .models import Space
from .repository import SpaceRepository
from .schemas import MemberAdd, SpaceCreate, SpaceUpdate

# What else follows a space's visibility: the readers of its posts. Posts build on
# spaces, so the app hands their rule in (`posts.lifecycle.follow_space`).
VisibilityFollower = Callable[[Session, Space, datetime], None]


def space_visible_to(space: Space, principals: Set[str]) -> bool:
    """Public spaces are seen by employees (`org`), any space by its members and by
    compliance: a contractor sees only the spaces she is in, a deactivated user none."""
    if space_principal(space.id) in principals or AUDITOR in principals:
        return True
    return space.visibility == Visibility.PUBLIC and ORG in principals


def list_visible_spaces(
    *, session: Session, gate: PolicyGate, subject: str, include_archived: bool = False
) -> list[Space]:
    """The spaces `subject` may see (archived ones on request)."""
    principals = gate.principals(subject)
    spaces = SpaceRepository(session).list_visible_candidates(include_archived=include_archived)
    return [space for space in spaces if space_visible_to(space, principals)]


def get_visible_space(*, session: Session, gate: PolicyGate, subject: str, space_id: str) -> Space:
    """The space, or `SpaceNotFound` when it does not exist or `subject` may not see it
    (the same answer: nothing tells one from the other)."""
    space = SpaceRepository(session).get(space_id)
    if space is None or not space_visible_to(space, gate.principals(subject)):
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
    gate.register_space(
        space_id=request.id, kind=request.kind, visibility=request.visibility, on_behalf_of=creator
    )
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


def update_space(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    space_id: str,
    request: SpaceUpdate,
    follow: VisibilityFollower,
) -> Space:
    """Owners rename, describe or change the visibility of their space.

    A visibility change is told to policy first, then `follow` decides again the readers
    of every post of the space (a new version and an outbox event each).
    """
    space = get_visible_space(session=session, gate=gate, subject=actor, space_id=space_id)
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived.")
    gate.require(subject=actor, action=Action.MANAGE_SPACE, domain=space_domain(space.id))
    now = utcnow()
    if request.name is not None:
        space.name = request.name
    if request.description is not None:
        space.description = request.description
    if request.visibility is not None and request.visibility.value != space.visibility:
        gate.register_space(
            space_id=space.id,
            kind=SpaceKind(space.kind),
            visibility=request.visibility,
            on_behalf_of=actor,
        )
        space.visibility = request.visibility.value
        follow(session, space, now)
    space.updated_at = now
    space.updated_by = actor
    return space


def archive_space(*, session: Session, gate: PolicyGate, actor: str, space_id: str) -> Space:
    """Archive: the space and its posts stay readable; it takes no new posts or comments."""
    space = get_visible_space(session=session, gate=gate, subject=actor, space_id=space_id)
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is already archived.")
    gate.require(subject=actor, action=Action.MANAGE_SPACE, domain=space_domain(space.id))
    now = utcnow()
    space.archived_at = now
    space.archived_by = actor
    space.updated_at = now
    space.updated_by = actor
    return space


def add_member(
    *, session: Session, gate: PolicyGate, actor: str, space_id: str, request: MemberAdd
) -> Space:
    """Owners and policy admins grant a space role through policy (the only writer of grants).

    The first check spares policy a grant call for who may grant nothing here; policy's
    own check, on behalf of `actor`, decides the grant itself (an owner grants member and
    moderator, nobody grants themselves), as on its `/v1/grants`.
    """
    space = get_visible_space(session=session, gate=gate, subject=actor, space_id=space_id)
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived.")
    gate.require_any(
        subject=actor,
        candidates=[
            (Action.MANAGE_MEMBERS, space_domain(space.id)),
            (Action.GRANTS_MANAGE, ORG_DOMAIN),
        ],
    )
    if not gate.principals(request.subject):
        raise UnknownSubject(f"No active user '{request.subject}' in the directory.")
    gate.grant_space_role(
        space_id=space.id,
        subject=request.subject,
        role=Role(request.role.value),
        on_behalf_of=actor,
        justification=request.justification,
    )
    return space
