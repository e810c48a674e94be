"""Reactions on a post: each kind publishing knows, toggled by a form that says its intent."""

from __future__ import annotations

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.engagement import ReactionCreate, ReactionKind

from ..web import ClientsDep, Viewer

# The order the post's page shows them in: the like first, as before there were others.
KINDS: tuple[str, ...] = tuple(kind.value for kind in ReactionKind)


def reaction_kind(value: str) -> ReactionKind | None:
    """The kind a form names, or None for a word publishing does not know."""
    return ReactionKind(value) if value in KINDS else None


def set_reaction(
    clients: ClientsDep, viewer: Viewer, post_id: str, kind: ReactionKind, on: bool
) -> None:
    """React (`on`) or take the reaction back, as the button the viewer saw said. The form
    states its intent rather than toggling, so a double click or a resent form cannot undo
    itself: a reaction already given (409) or already taken back (404) is the state asked for."""
    try:
        if on:
            clients.publishing.react(post_id, ReactionCreate(kind=kind), user_token=viewer.token)
        else:
            path = f"/v1/posts/{post_id}/reactions/{kind.value}"
            clients.publishing.request("DELETE", path, idempotent=False, token=viewer.token)
    except UnexpectedResponse as exc:
        if exc.status_code != (409 if on else 404):
            raise
