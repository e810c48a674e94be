"""The steps of an official post, each decided by policy and recorded with its decision.

draft → submitted → approved (by someone other than the author) or rejected (with a
reason) → published now, or scheduled → published by the scheduler → retracted. The
author may withdraw a submission (submitted or approved, not yet out) back to a draft.
Nothing is ever published that was not approved: the scheduler only takes posts in
the `scheduled` state, which only an approved post can reach.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from townhall_contracts.policy import Action, Decision, space_domain
from townhall_contracts.readers import PostState

from ..database import utcnow
from ..policy_gate import PolicyGate
from ..posts import events
from ..posts.access import get_readable_post, space_of
from ..posts.errors import InvalidTransition, NotAuthor
from ..posts.lifecycle import post_changed, record_step
from ..posts.models import Post, PostKind
from ..posts.vouches import clear_pin
from .errors import FourEyes, InvalidSchedule, NotOfficial

# A schedule must leave the scheduler a moment, and not be absurdly far away.
MIN_LEAD = timedelta(seconds=1)
MAX_LEAD = timedelta(days=366)


def _official_post(session: Session, gate: PolicyGate, actor: str, post_id: str) -> Post:
    """The official post a step acts on, locked, if `actor` may read it."""
    post = get_readable_post(session=session, gate=gate, subject=actor, post_id=post_id, lock=True)
    if post.kind != PostKind.OFFICIAL:
        raise NotOfficial(f"Post '{post.id}' is a social post.")
    return post


def _expect(post: Post, *states: PostState) -> None:
    if post.state not in {s.value for s in states}:
        raise InvalidTransition(
            f"The post is {post.state}; this step needs it "
            + " or ".join(s.value for s in states)
            + ".",
            state=post.state,
        )


def _decide(gate: PolicyGate, actor: str, action: Action, post: Post) -> Decision:
    return gate.require(subject=actor, action=action, domain=space_domain(post.space_id))


def _approver_decision(gate: PolicyGate, actor: str, post: Post, refusal: str) -> Decision:
    """Policy's leave to approve in the post's space, for anyone but its author (four eyes)."""
    decision = _decide(gate, actor, Action.APPROVE_OFFICIAL, post)
    if post.author_id == actor:
        raise FourEyes(refusal, decision_id=decision.decision_id)
    return decision


def check_schedule(at: datetime, now: datetime) -> None:
    """A schedule time is in the future (by a second at least) and within a year."""
    if at < now + MIN_LEAD:
        raise InvalidSchedule(
            "The schedule time is in the past.", at=at.isoformat(), now=now.isoformat()
        )
    if at > now + MAX_LEAD:
        raise InvalidSchedule("The schedule time is more than a year away.", at=at.isoformat())


def submit(
    *, session: Session, gate: PolicyGate, actor: str, post_id: str, publish_at: datetime | None
) -> Post:
    """The author submits a draft (or a rejected post, edited) for approval."""
    post = _official_post(session, gate, actor, post_id)
    if post.author_id != actor:
        raise NotAuthor(f"Only the author of post '{post.id}' may submit it.")
    _expect(post, PostState.DRAFT, PostState.REJECTED)
    now = utcnow()
    if publish_at is not None:
        check_schedule(publish_at, now)
    decision = _decide(gate, actor, Action.POST_OFFICIAL, post)
    post.state = PostState.SUBMITTED.value
    post.submitted_at = now
    post.scheduled_at = publish_at
    post.rejected_by = None
    post.rejection_reason = None
    note = f"publish at {publish_at.isoformat()} once approved" if publish_at else None
    record_step(
        session, post=post, step="submit", actor=actor, at=now, decision=decision, note=note
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
    events.post_submitted(session, post)
    return post


def withdraw(*, session: Session, gate: PolicyGate, actor: str, post_id: str) -> Post:
    """The author takes a submission back to a draft, before it is published or scheduled;
    an approval already given lapses (the edited draft goes through approval again)."""
    post = _official_post(session, gate, actor, post_id)
    if post.author_id != actor:
        raise NotAuthor(f"Only the author of post '{post.id}' may withdraw it.")
    _expect(post, PostState.SUBMITTED, PostState.APPROVED)
    decision = _decide(gate, actor, Action.POST_OFFICIAL, post)
    now = utcnow()
    post.state = PostState.DRAFT.value
    post.submitted_at = None
    post.scheduled_at = None
    post.approved_by = None
    post.approved_at = None
    record_step(session, post=post, step="withdraw", actor=actor, at=now, decision=decision)
    post_changed(session, post=post, space=space_of(session, post), at=now)
    events.post_withdrawn(session, post)
    return post


def approve(*, session: Session, gate: PolicyGate, actor: str, post_id: str) -> Post:
    """An approver other than the author approves a submitted post.

    When the author asked for a publication time that is still ahead, the post is
    scheduled for it; a time that passed while approval was pending is not honoured
    (the post stays approved, to publish deliberately).
    """
    post = _official_post(session, gate, actor, post_id)
    _expect(post, PostState.SUBMITTED)
    decision = _approver_decision(
        gate, actor, post, "An approver may not approve their own post: another approver must."
    )
    now = utcnow()
    post.approved_by = actor
    post.approved_at = now
    record_step(session, post=post, step="approve", actor=actor, at=now, decision=decision)
    if post.scheduled_at is not None and post.scheduled_at > now:
        post.state = PostState.SCHEDULED.value
        record_step(
            session,
            post=post,
            step="schedule",
            actor=actor,
            at=now,
            note=f"for {post.scheduled_at.isoformat()}, as submitted",
        )
    else:
        if post.scheduled_at is not None:
            record_step(
                session,
                post=post,
                step="schedule-missed",
                actor=actor,
                at=now,
                note=f"{post.scheduled_at.isoformat()} passed while approval was pending",
            )
            post.scheduled_at = None
        post.state = PostState.APPROVED.value
    post_changed(session, post=post, space=space_of(session, post), at=now)
    events.post_decided(session, post, by=actor)
    return post


def reject(*, session: Session, gate: PolicyGate, actor: str, post_id: str, reason: str) -> Post:
    """An approver other than the author sends a submitted post back, with a reason."""
    post = _official_post(session, gate, actor, post_id)
    _expect(post, PostState.SUBMITTED)
    decision = _approver_decision(
        gate, actor, post, "An approver may not decide on their own post: another approver must."
    )
    now = utcnow()
    post.state = PostState.REJECTED.value
    post.rejected_by = actor
    post.rejection_reason = reason
    post.scheduled_at = None
    record_step(
        session, post=post, step="reject", actor=actor, at=now, decision=decision, note=reason
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
    events.post_decided(session, post, by=actor, reason=reason)
    return post


def publish(
    *, session: Session, gate: PolicyGate, actor: str, post_id: str, at: datetime | None
) -> Post:
    """Publish an approved post now, or schedule it (a scheduled post may be moved)."""
    post = _official_post(session, gate, actor, post_id)
    _expect(post, PostState.APPROVED, PostState.SCHEDULED)
    now = utcnow()
    if at is not None:
        check_schedule(at, now)
    decision = _decide(gate, actor, Action.PUBLISH_OFFICIAL, post)
    if at is not None:
        post.state = PostState.SCHEDULED.value
        post.scheduled_at = at
        record_step(
            session,
            post=post,
            step="schedule",
            actor=actor,
            at=now,
            decision=decision,
            note=f"for {at.isoformat()}",
        )
    else:
        post.state = PostState.PUBLISHED.value
        post.published_at = now
        post.published_by = actor
        record_step(session, post=post, step="publish", actor=actor, at=now, decision=decision)
    post_changed(session, post=post, space=space_of(session, post), at=now)
    if post.state == PostState.PUBLISHED.value:
        events.post_published(session, post)
    return post


def retract(*, session: Session, gate: PolicyGate, actor: str, post_id: str, reason: str) -> Post:
    """Retract a published (or cancel a scheduled) official post: kept, marked, gone
    from feeds and search."""
    post = _official_post(session, gate, actor, post_id)
    _expect(post, PostState.PUBLISHED, PostState.SCHEDULED, PostState.HIDDEN)
    decision = _decide(gate, actor, Action.PUBLISH_OFFICIAL, post)
    now = utcnow()
    post.state = PostState.RETRACTED.value
    post.retracted_by = actor
    post.retracted_at = now
    post.retraction_reason = reason
    clear_pin(post)
    record_step(
        session, post=post, step="retract", actor=actor, at=now, decision=decision, note=reason
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
    return post


def publish_due(session: Session, *, now: datetime, limit: int = 100) -> list[Post]:
    """Publish the scheduled posts whose time has come; answers what was published.

    Only `scheduled` posts are taken, and only an approved post becomes scheduled. On
    PostgreSQL the rows are locked with SKIP LOCKED, so several instances never
    publish the same post twice.
    """
    statement = (
        select(Post)
        .where(
            col(Post.state) == PostState.SCHEDULED.value,
            col(Post.scheduled_at) <= now,
            col(Post.approved_by).is_not(None),
        )
        .order_by(col(Post.scheduled_at), col(Post.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    due = list(session.exec(statement))
    for post in due:
        post.state = PostState.PUBLISHED.value
        post.published_at = now
        post.published_by = "system:scheduler"
        record_step(
            session,
            post=post,
            step="publish",
            actor="system:scheduler",
            at=now,
            note=f"scheduled for {post.scheduled_at.isoformat() if post.scheduled_at else '?'}",
        )
        post_changed(session, post=post, space=space_of(session, post), at=now)
        events.post_published(session, post)
    return due


def review_queue(*, session: Session, gate: PolicyGate, subject: str) -> list[Post]:
    """Official posts in the workflow in the spaces where `subject` approves or publishes."""
    statement = (
        select(Post)
        .where(
            col(Post.kind) == PostKind.OFFICIAL.value,
            col(Post.state).in_(
                [
                    PostState.SUBMITTED.value,
                    PostState.APPROVED.value,
                    PostState.SCHEDULED.value,
                ]
            ),
        )
        .order_by(col(Post.submitted_at), col(Post.id))
        .limit(500)
    )
    posts = list(session.exec(statement))
    domains = sorted({space_domain(p.space_id) for p in posts})
    allowed = gate.allowed_domains(
        subject=subject, action=Action.APPROVE_OFFICIAL, domains=domains
    ) | gate.allowed_domains(subject=subject, action=Action.PUBLISH_OFFICIAL, domains=domains)
    return [p for p in posts if space_domain(p.space_id) in allowed]
