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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from townhall_contracts.policy import Decision

from .errors import AlreadyDone, RevisionChanged
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


def _endorse(post: Post, actor: str, at: datetime, decision: Decision) -> None:
    post.endorsed_by = actor
    post.endorsed_at = at
    post.endorsed_revision = post.revision
    post.endorsement_decision_id = decision.decision_id


def clear_endorsement(post: Post) -> None:
    post.endorsed_by = None
    post.endorsed_at = None
    post.endorsed_revision = None
    post.endorsement_decision_id = None


def _pin(post: Post, actor: str, at: datetime, decision: Decision) -> None:
    post.pinned_by = actor
    post.pinned_at = at
    post.pinned_revision = post.revision
    post.pin_decision_id = decision.decision_id


def clear_pin(post: Post) -> None:
    post.pinned_by = None
    post.pinned_at = None
    post.pinned_revision = None
    post.pin_decision_id = None


@dataclass(frozen=True)
class Vouch:
    """One kind of vouch: the steps that give, withdraw and lapse it, and the columns of a
    post that hold it (who, when, which revision, under which decision)."""

    step: str
    withdrawn: str
    lapsed: str
    adjective: str
    give: Callable[[Post, str, datetime, Decision], None]
    clear: Callable[[Post], None]
    held: Callable[[Post], bool]


ENDORSED = Vouch(
    ENDORSE,
    "unendorse",
    ENDORSEMENT_LAPSED,
    "endorsed",
    _endorse,
    clear_endorsement,
    lambda post: post.endorsed_by is not None,
)
PINNED = Vouch(
    PIN, "unpin", PIN_LAPSED, "pinned", _pin, clear_pin, lambda post: post.pinned_by is not None
)


def set_vouch(
    session: Session,
    *,
    post: Post,
    vouch: Vouch,
    on: bool,
    actor: str,
    at: datetime,
    decision: Decision,
    revision: int | None,
) -> None:
    """Give (`on`) or withdraw `vouch` on the post's current revision, with its step; the
    withdrawal's step names the step it ends. Refused when there is nothing to change, or
    when `revision` (the one the actor read) is not the current one."""
    if on == vouch.held(post):
        already = "already" if on else "not"
        raise AlreadyDone(f"The post is {already} {vouch.adjective}.")
    require_revision(post, revision)
    ends = None if on else PostRepository(session).last_step(post.id, vouch.step)
    if on:
        vouch.give(post, actor, at, decision)
    else:
        vouch.clear(post)
    record_step(
        session,
        post=post,
        step=vouch.step if on else vouch.withdrawn,
        actor=actor,
        at=at,
        decision=decision,
        ends=ends,
    )


def lapse_vouches(
    session: Session, *, post: Post, actor: str, at: datetime, replaced: int
) -> list[Comment]:
    """After an edit replaced revision `replaced` with the post's current one: end its
    endorsement and pin (a step each, naming the step it ends), and return the official
    answers of the replaced revision, which now answer an earlier one (their search
    documents change)."""
    steps = PostRepository(session)
    for vouch in (ENDORSED, PINNED):
        if vouch.held(post):
            record_step(
                session,
                post=post,
                step=vouch.lapsed,
                actor=actor,
                at=at,
                note=f"The author edited the post: revision {post.revision} is not "
                f"{vouch.adjective}.",
                ends=steps.last_step(post.id, vouch.step),
            )
            vouch.clear(post)
    return CommentRepository(session).official_answers(post.id, post_revision=replaced)
