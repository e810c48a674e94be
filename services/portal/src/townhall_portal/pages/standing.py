"""What a viewer is offered about each space they see: join or leave a public community,
follow or stop following; only what policy allows, the rest explained beside the space."""

from __future__ import annotations

from collections.abc import Sequence

from townhall_contracts.publishing.spaces import SpaceRead

from ..permissions import allowed_spaces
from ..web import ClientsDep, Viewer

# What each form changes: its API path, and the notice after each intent.
CHANGES = {
    "membership": ("membership", {"on": "joined", "off": "left"}),
    "follow": ("follow", {"on": "followed", "off": "unfollowed"}),
}
# A state already as asked, by publishing's problem: leaving what one is not in is out.
ALREADY = {("membership", "off"): "/not-a-member"}


def standing(space: SpaceRead, may_take_part: bool) -> dict[str, object]:
    """What the viewer is offered about `space`, or told why not: join or leave a public
    community, follow or stop following any space they read."""
    community = space.kind == "community" and space.visibility == "public"
    open_space = space.archived_at is None
    if not community:
        why = "standing.why_announcement" if space.kind == "announcement" else "standing.why_owners"
    elif not open_space and not space.member:
        why = "standing.why_archived"
    elif not may_take_part and not space.member:
        why = "standing.why_not_allowed"
    else:
        why = None
    return {
        "join": community and open_space and may_take_part and not space.member,
        "leave": community and bool(space.member),
        "follow": open_space and not space.following,
        "unfollow": bool(space.following),
        "why": why,
    }


def standings(
    clients: ClientsDep, viewer: Viewer, spaces: Sequence[SpaceRead]
) -> dict[str, dict[str, object]]:
    """Each space's offer, from one batch of policy's decisions (who takes part where)."""
    communities = [s for s in spaces if s.kind == "community" and s.visibility == "public"]
    taking_part = {s.id for s in allowed_spaces(clients, viewer, communities, "post.social")}
    return {space.id: standing(space, space.id in taking_part) for space in spaces}
