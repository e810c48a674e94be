"""What an endorsement, a pin and an official answer vouch for: one revision of a text.

A post's text has a revision (1 as first written, one more per edit by its author). An
endorsement and a pin record the revision, who, when and the policy decision; an official
answer, the revision of the post it answered. An edit makes a revision nobody vouched
for: the endorsement and the pin lapse (a step says so and names the step it ends, which
keeps the revision, who, when and the decision), and the official answers stay, shown as
answering an earlier revision. A vouch asked for while reading a revision since replaced
is refused, so nobody vouches for a text they have not seen.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import Decision

from .errors import RevisionChanged
from .lifecycle import record_step
from .models import Comment, Post
from .repository import CommentRepository, PostRepository

ENDORSE = "endorse"
PIN = "pin"
ENDORSEMENT_LAPSED = "endorsement-lapsed"
PIN_LAPSED = "pin-lapsed"


def require_revision(post: Post, revision: int | None) -> None:
    """Refuse a vouch for `revision` (the one its author read) if the text changed since."""
    if revision is not None and revision != post.revision:
        raise RevisionChanged(
            f"The post was edited since revision {revision}: it is at revision "
            f"{post.revision}. Read it again before vouching for it.",
            current_revision=post.revision,
        )


def endorse(post: Post, *, actor: str, at: datetime, decision: Decision) -> None:
    """Mark the post's current revision as endorsed by `actor` under `decision`."""
    post.endorsed_by = actor
    post.endorsed_at = at
    post.endorsed_revision = post.revision
    post.endorsement_decision_id = decision.decision_id


def clear_endorsement(post: Post) -> None:
    post.endorsed_by = None
    post.endorsed_at = None
    post.endorsed_revision = None
    post.endorsement_decision_id = None


def pin(post: Post, *, actor: str, at: datetime, decision: Decision) -> None:
    """Pin the post's current revision, by `actor` under `decision`."""
    post.pinned_by = actor
    post.pinned_at = at
    post.pinned_revision = post.revision
    post.pin_decision_id = decision.decision_id


def clear_pin(post: Post) -> None:
    post.pinned_by = None
    post.pinned_at = None
    post.pinned_revision = None
    post.pin_decision_id = None


def lapse_vouches(
    session: Session, *, post: Post, actor: str, at: datetime, replaced: int
) -> list[Comment]:
    """After an edit replaced revision `replaced` with the post's current one: end its
    endorsement and pin (a step each, naming the step it ends), and return the official
    answers of the replaced revision, which now answer an earlier one (their search
    documents change)."""
    steps = PostRepository(session)
    if post.endorsed_by is not None:
        record_step(
            session,
            post=post,
            step=ENDORSEMENT_LAPSED,
            actor=actor,
            at=at,
            note=f"The author edited the post: revision {post.revision} is not endorsed.",
            ends=steps.last_step(post.id, ENDORSE),
        )
        clear_endorsement(post)
    if post.pinned_by is not None:
        record_step(
            session,
            post=post,
            step=PIN_LAPSED,
            actor=actor,
            at=at,
            note=f"The author edited the post: revision {post.revision} is not pinned.",
            ends=steps.last_step(post.id, PIN),
        )
        clear_pin(post)
    return CommentRepository(session).official_answers(post.id, post_revision=replaced)
