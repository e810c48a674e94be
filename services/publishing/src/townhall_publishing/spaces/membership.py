"""Joining, leaving and following a space: the caller's own standing in it.

Membership is a `member` grant kept by policy: publishing relays the request on behalf
of the person, and policy lets who takes part in a public community take or give back
that grant themselves. Following is publishing's own record and takes no role.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from townhall_contracts.policy import Action, Role, SpaceKind, space_domain
from townhall_contracts.readers import Visibility, space_principal

from ..policy_gate import PolicyGate
from .errors import NotAMember, SpaceArchived, SpaceNotJoinable
from .models import Space
from .repository import SpaceRepository
from .schemas import SpaceRead
from .service import get_visible_space


def _joinable(space: Space) -> None:
    if space.kind != SpaceKind.COMMUNITY.value or space.visibility != Visibility.PUBLIC.value:
        raise SpaceNotJoinable(
            f"Only public communities are joined and left freely; the members of "
            f"'{space.id}' are added and removed by its owners."
        )


def join_space(*, session: Session, gate: PolicyGate, subject: str, space_id: str) -> Space:
    """Join a public community: who may take part in it (`post.social`) becomes a member."""
    space = get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
    _joinable(space)
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived: nobody joins it.")
    gate.require(subject=subject, action=Action.POST_SOCIAL, domain=space_domain(space.id))
    gate.grant_space_role(
        space_id=space.id,
        subject=subject,
        role=Role.MEMBER,
        on_behalf_of=subject,
        justification=f"Joined the community '{space.id}'.",
    )
    return space


def leave_space(*, session: Session, gate: PolicyGate, subject: str, space_id: str) -> Space:
    """Leave a public community one joined (an archived one too)."""
    space = get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
    _joinable(space)
    left = gate.revoke_space_role(
        space_id=space.id,
        subject=subject,
        role=Role.MEMBER,
        on_behalf_of=subject,
        justification=f"Left the community '{space.id}'.",
    )
    if not left:
        raise NotAMember(
            f"You are not a member of '{space.id}' in your own name (a membership through "
            "a group is the group's)."
        )
    return space


def follow_space(*, session: Session, gate: PolicyGate, subject: str, space_id: str) -> Space:
    """Follow a space one may read; following twice changes nothing."""
    space = get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived: nothing new to follow.")
    gate.require(subject=subject, action=Action.READ, domain=space_domain(space.id))
    SpaceRepository(session).follow(space.id, subject)
    return space


def unfollow_space(*, session: Session, gate: PolicyGate, subject: str, space_id: str) -> Space:
    """Stop following; not following already changes nothing."""
    space = get_visible_space(session=session, gate=gate, subject=subject, space_id=space_id)
    SpaceRepository(session).unfollow(space.id, subject)
    return space


def standings(
    *, session: Session, gate: PolicyGate, subject: str, spaces: Iterable[Space]
) -> list[SpaceRead]:
    """The spaces as the caller sees them: whether they are a member and follow each."""
    principals = gate.principals(subject)
    followed = SpaceRepository(session).followed_by(subject)
    return [
        SpaceRead.model_validate(space).model_copy(
            update={
                "member": space_principal(space.id) in principals,
                "following": space.id in followed,
            }
        )
        for space in spaces
    ]
