"""What a form may offer: the spaces where policy allows the user an action, asked at once.

Forms list only these, so nobody writes a whole post to be refused at the end; publishing
still decides when the form is sent.
"""

from __future__ import annotations

from collections.abc import Sequence

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.spaces import SpaceRead

from .web import Clients, Viewer


def allowed_spaces(
    clients: Clients, viewer: Viewer, spaces: Sequence[SpaceRead], action: str
) -> list[SpaceRead]:
    """The spaces among `spaces` where `viewer` may do `action` (one batch of decisions)."""
    if not spaces:
        return []
    body = {
        "decisions": [
            {"subject": viewer.subject, "action": action, "domain": f"space:{s.id}"} for s in spaces
        ]
    }
    try:
        answer = clients.policy.post_json("/v1/decisions/batch", user_token=viewer.token, body=body)
    except UnexpectedResponse:
        return []
    allowed = {
        d["domain"].removeprefix("space:")
        for d in answer.get("decisions", [])
        if d.get("allowed") and d.get("action") == action
    }
    return [s for s in spaces if s.id in allowed]
