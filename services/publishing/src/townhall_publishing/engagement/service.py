"""Reactions, and acknowledgements of official posts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from townhall_contracts.policy import Action, space_domain
from townhall_contracts.readers import PostState, space_principal

from ..database import utcnow
from ..policy_gate import PolicyGate
from ..posts import events
from ..posts.access import get_readable_post
from ..posts.errors import AlreadyDone, InvalidTransition
from ..posts.models import Acknowledgement, Post, PostKind, Reaction, ReactionKind
from ..spaces.repository import SpaceRepository
from ..spaces.service import space_visible_to
from ..workflow.errors import NotOfficial
from .errors import ReactionNotFound

SPACE_PREFIX = space_principal("")


def react(
    *, session: Session, gate: PolicyGate, user_id: str, post_id: str, kind: ReactionKind
) -> Post:
    """One reaction of each kind per user and post, where policy allows `react`."""
    post = get_readable_post(session=session, gate=gate, subject=user_id, post_id=post_id)
    if post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a published post takes reactions.", state=post.state)
    if session.get(Reaction, (post.id, user_id, kind.value)) is not None:
        raise AlreadyDone(f"You already reacted '{kind.value}' to this post.", kind=kind.value)
    decision = gate.require(
        subject=user_id, action=Action.REACT, domain=space_domain(post.space_id)
    )
    session.add(
        Reaction(
            post_id=post.id,
            user_id=user_id,
            kind=kind.value,
            created_at=utcnow(),
            decision_id=decision.decision_id,
            policy_revision=decision.policy_revision,
        )
    )
    try:
        session.flush()
    except IntegrityError as exc:
        # The same reaction raced in from another request.
        raise AlreadyDone(f"You already reacted '{kind.value}' to this post.") from exc
    return post


def unreact(
    *, session: Session, gate: PolicyGate, user_id: str, post_id: str, kind: ReactionKind
) -> None:
    """Take one's reaction back."""
    post = get_readable_post(session=session, gate=gate, subject=user_id, post_id=post_id)
    reaction = session.get(Reaction, (post.id, user_id, kind.value))
    if reaction is None:
        raise ReactionNotFound(f"You have no '{kind.value}' reaction on this post.")
    gate.require(subject=user_id, action=Action.REACT, domain=space_domain(post.space_id))
    session.delete(reaction)
    session.flush()


def acknowledge(
    *, session: Session, gate: PolicyGate, user_id: str, post_id: str
) -> Acknowledgement:
    """A reader acknowledges an official post that asks for it, once."""
    post = get_readable_post(session=session, gate=gate, subject=user_id, post_id=post_id)
    if post.kind != PostKind.OFFICIAL:
        raise NotOfficial("Only an official post is acknowledged.")
    if not post.requires_ack:
        raise InvalidTransition("This post does not ask for acknowledgement.", state=post.state)
    if post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a published post is acknowledged.", state=post.state)
    if session.get(Acknowledgement, (post.id, user_id)) is not None:
        raise AlreadyDone("You already acknowledged this post.")
    decision = gate.require(subject=user_id, action=Action.READ, domain=space_domain(post.space_id))
    ack = Acknowledgement(
        post_id=post.id,
        user_id=user_id,
        acknowledged_at=utcnow(),
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )
    session.add(ack)
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyDone("You already acknowledged this post.") from exc
    events.post_acknowledged(session, post, user_id=user_id)
    return ack


@dataclass(frozen=True)
class AcknowledgementStatus:
    post: Post
    audience: list[str]
    acknowledgements: list[Acknowledgement]
    pending: list[str]
    # The audience holds a space the reader of the report may not see: numbers only.
    names_withheld: bool = False


def acknowledgement_status(
    *, session: Session, gate: PolicyGate, subject: str, post_id: str
) -> AcknowledgementStatus:
    """For its author and communications staff: who of the audience acknowledged, who not.

    The audience is the active users policy finds holding any of the post's readers
    now (the author aside).
    """
    post = get_readable_post(session=session, gate=gate, subject=subject, post_id=post_id)
    if post.kind != PostKind.OFFICIAL:
        raise NotOfficial("Only an official post is acknowledged.")
    if post.author_id != subject:
        gate.require_any(
            subject=subject,
            candidates=[
                (Action.PUBLISH_OFFICIAL, space_domain(post.space_id)),
                (Action.AUDIT_READ, "org"),
            ],
        )
    acks = list(
        session.exec(
            select(Acknowledgement)
            .where(col(Acknowledgement.post_id) == post.id)
            .order_by(col(Acknowledgement.acknowledged_at))
        )
    )
    audience: list[str] = []
    if post.state == PostState.PUBLISHED:
        audience = gate.audience(post.readers, author=post.author_id)
    acknowledged = {a.user_id for a in acks}
    pending = [s for s in audience if s not in acknowledged]
    return AcknowledgementStatus(
        post=post,
        audience=audience,
        acknowledgements=acks,
        pending=pending,
        names_withheld=not _sees_every_audience_space(session, gate, subject, post),
    )


def _sees_every_audience_space(
    session: Session, gate: PolicyGate, subject: str, post: Post
) -> bool:
    """True when `subject` may see every space among the post's readers: a name in the
    report would otherwise tell who is in a space she may not see (an author who left
    it, say)."""
    space_ids = [r.removeprefix(SPACE_PREFIX) for r in post.readers if r.startswith(SPACE_PREFIX)]
    if not space_ids:
        return True
    principals = gate.principals(subject)
    spaces = SpaceRepository(session)
    for space_id in space_ids:
        space = spaces.get(space_id)
        if space is None or not space_visible_to(space, principals):
            return False
    return True
