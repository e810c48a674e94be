"""Reports, the moderation queue, hiding and restoring, each action on the record."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from townhall_contracts.policy import ORG_DOMAIN, Action, Decision, space_domain
from townhall_contracts.readers import PostState

from ..database import utcnow
from ..policy_gate import PolicyGate
from ..posts import events
from ..posts.access import (
    find_comment,
    find_post,
    find_readable_comment,
    get_readable_post,
    space_of,
)
from ..posts.errors import AlreadyDone, InvalidTransition
from ..posts.lifecycle import comment_changed, post_changed, record_step
from ..posts.models import Comment, Post
from ..spaces.errors import SpaceNotFound
from ..spaces.repository import SpaceRepository
from ..spaces.service import get_visible_space
from .errors import ReportNotFound
from .models import ModerationAction, ModerationVerb, Report, ReportStatus


def report(
    *,
    session: Session,
    gate: PolicyGate,
    reporter: str,
    post_id: str,
    reason: str,
    comment_id: str | None,
) -> Report:
    """Any reader reports a post or one of its comments, once while the report is open."""
    post = get_readable_post(session=session, gate=gate, subject=reporter, post_id=post_id)
    if comment_id is not None:
        # A deleted comment is read by compliance only: to others it does not exist.
        find_readable_comment(
            session=session, gate=gate, subject=reporter, post=post, comment_id=comment_id
        )
    elif post.state not in (PostState.PUBLISHED.value, PostState.HIDDEN.value):
        raise InvalidTransition("Only a published post can be reported.", state=post.state)
    open_already = session.exec(
        select(Report).where(
            col(Report.post_id) == post.id,
            col(Report.comment_id) == comment_id
            if comment_id
            else col(Report.comment_id).is_(None),
            col(Report.reporter_id) == reporter,
            col(Report.status) == ReportStatus.OPEN.value,
        )
    ).first()
    if open_already is not None:
        raise AlreadyDone(
            "You already reported this; moderators have it.", report_id=open_already.id
        )
    decision = gate.require(
        subject=reporter, action=Action.READ, domain=space_domain(post.space_id)
    )
    entry = Report(
        id=str(uuid.uuid4()),
        post_id=post.id,
        comment_id=comment_id,
        space_id=post.space_id,
        reporter_id=reporter,
        reason=reason,
        created_at=utcnow(),
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )
    session.add(entry)
    events.report_created(session, report_id=entry.id, post=post, reporter_id=reporter)
    return entry


def moderated_spaces(*, session: Session, gate: PolicyGate, subject: str) -> set[str]:
    """The spaces where `subject` may moderate."""
    spaces = [s.id for s in SpaceRepository(session).list_all()]
    allowed = gate.allowed_domains(
        subject=subject, action=Action.MODERATE, domains=[space_domain(s) for s in spaces]
    )
    return {s for s in spaces if space_domain(s) in allowed}


def queue(
    *,
    session: Session,
    gate: PolicyGate,
    subject: str,
    status: ReportStatus,
    space_id: str | None,
    limit: int,
) -> list[Report]:
    """Reports in the spaces the subject moderates, oldest first."""
    spaces = moderated_spaces(session=session, gate=gate, subject=subject)
    if not spaces:
        # Nobody's queue: say why with policy's refusal in org.
        gate.require(subject=subject, action=Action.MODERATE, domain=ORG_DOMAIN)
    if space_id is not None:
        spaces &= {space_id}
    if not spaces:
        return []
    statement = (
        select(Report)
        .where(col(Report.status) == status.value, col(Report.space_id).in_(sorted(spaces)))
        .order_by(col(Report.created_at), col(Report.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def _target(session: Session, post_id: str, comment_id: str | None) -> tuple[Post, Comment | None]:
    post = find_post(session, post_id)
    comment = find_comment(session, post, comment_id) if comment_id else None
    return post, comment


def _readable_target(
    session: Session, gate: PolicyGate, moderator: str, post_id: str, comment_id: str | None
) -> tuple[Post, Comment | None]:
    """The post (and comment) to act on, if the moderator may read them; otherwise the
    same not-found as for a missing one. Moderating means reading: nobody hides or
    restores content to look at it."""
    post = get_readable_post(session=session, gate=gate, subject=moderator, post_id=post_id)
    comment = (
        find_readable_comment(
            session=session, gate=gate, subject=moderator, post=post, comment_id=comment_id
        )
        if comment_id
        else None
    )
    return post, comment


def _moderated_target(
    session: Session,
    gate: PolicyGate,
    moderator: str,
    post_id: str,
    comment_id: str | None,
    needs: PostState,
    done: str,
) -> tuple[Post, Comment | None, Decision]:
    """What a moderation step acts on, with policy's leave to moderate in its space; refused
    unless the content is in the state `needs` (`done` says what the step makes of it)."""
    post, comment = _readable_target(session, gate, moderator, post_id, comment_id)
    decision = gate.require(
        subject=moderator, action=Action.MODERATE, domain=space_domain(post.space_id)
    )
    current = comment.state if comment else post.state
    if current != needs:
        raise InvalidTransition(f"Only {needs.value} content can be {done}.", state=current)
    return post, comment, decision


def _resolve_reports(
    session: Session, *, post: Post, comment: Comment | None, by: str, at: datetime, how: str
) -> None:
    session.execute(
        update(Report)
        .where(
            col(Report.post_id) == post.id,
            col(Report.comment_id) == comment.id if comment else col(Report.comment_id).is_(None),
            col(Report.status) == ReportStatus.OPEN.value,
        )
        .values(status=ReportStatus.RESOLVED.value, resolved_by=by, resolved_at=at, resolution=how)
    )


def hide(
    *,
    session: Session,
    gate: PolicyGate,
    moderator: str,
    post_id: str,
    comment_id: str | None,
    reason: str,
) -> ModerationAction:
    """Hide a post or comment: gone for everyone but its author and moderators; the
    author sees the reason; the open reports on it are resolved."""
    post, comment, decision = _moderated_target(
        session, gate, moderator, post_id, comment_id, PostState.PUBLISHED, "hidden"
    )
    now = utcnow()
    space = space_of(session, post)
    if comment is not None:
        comment.state = PostState.HIDDEN.value
        comment.hidden_by, comment.hidden_at, comment.hidden_reason = moderator, now, reason
        comment_changed(session, comment=comment, post=post, space=space, at=now)
    else:
        post.state = PostState.HIDDEN.value
        post.hidden_by, post.hidden_at, post.hidden_reason = moderator, now, reason
        record_step(
            session, post=post, step="hide", actor=moderator, at=now, decision=decision, note=reason
        )
        post_changed(session, post=post, space=space, at=now)
    _resolve_reports(session, post=post, comment=comment, by=moderator, at=now, how="hidden")
    return _record(session, post, comment, ModerationVerb.HIDE, moderator, reason, now, decision)


def restore(
    *,
    session: Session,
    gate: PolicyGate,
    moderator: str,
    post_id: str,
    comment_id: str | None,
    reason: str,
) -> ModerationAction:
    """Bring hidden content back to its readers."""
    post, comment, decision = _moderated_target(
        session, gate, moderator, post_id, comment_id, PostState.HIDDEN, "restored"
    )
    now = utcnow()
    space = space_of(session, post)
    if comment is not None:
        comment.state = PostState.PUBLISHED.value
        comment.hidden_by = comment.hidden_at = comment.hidden_reason = None
        comment_changed(session, comment=comment, post=post, space=space, at=now)
    else:
        post.state = PostState.PUBLISHED.value
        post.hidden_by = post.hidden_at = post.hidden_reason = None
        record_step(
            session,
            post=post,
            step="restore",
            actor=moderator,
            at=now,
            decision=decision,
            note=reason,
        )
        post_changed(session, post=post, space=space, at=now)
    return _record(session, post, comment, ModerationVerb.RESTORE, moderator, reason, now, decision)


def dismiss(
    *, session: Session, gate: PolicyGate, moderator: str, report_id: str, reason: str
) -> Report:
    """Close a report without acting on the content; recorded like any action."""
    entry = session.get(Report, report_id) if len(report_id) <= 36 else None
    if entry is None:
        raise ReportNotFound(f"No report '{report_id}'.")
    try:
        # A report in a space one may not see is as missing as the space.
        get_visible_space(session=session, gate=gate, subject=moderator, space_id=entry.space_id)
    except SpaceNotFound:
        raise ReportNotFound(f"No report '{report_id}'.") from None
    decision = gate.require(
        subject=moderator, action=Action.MODERATE, domain=space_domain(entry.space_id)
    )
    if entry.status != ReportStatus.OPEN:
        raise InvalidTransition("The report is already resolved.", state=entry.status)
    now = utcnow()
    entry.status = ReportStatus.RESOLVED.value
    entry.resolved_by, entry.resolved_at, entry.resolution = moderator, now, "dismissed"
    post, comment = _target(session, entry.post_id, entry.comment_id)
    _record(session, post, comment, ModerationVerb.DISMISS, moderator, reason, now, decision)
    return entry


def _record(
    session: Session,
    post: Post,
    comment: Comment | None,
    verb: ModerationVerb,
    moderator: str,
    reason: str,
    at: datetime,
    decision: Decision,
) -> ModerationAction:
    action = ModerationAction(
        post_id=post.id,
        comment_id=comment.id if comment else None,
        space_id=post.space_id,
        action=verb.value,
        moderator_id=moderator,
        reason=reason,
        at=at,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )
    session.add(action)
    session.flush()
    return action


def actions(
    *, session: Session, gate: PolicyGate, subject: str, post_id: str | None, limit: int
) -> list[ModerationAction]:
    """The moderation record, newest first, for the spaces the subject moderates
    (compliance officers see all of it)."""
    auditor = bool(
        gate.allowed_domains(subject=subject, action=Action.AUDIT_READ, domains=[ORG_DOMAIN])
    )
    statement = select(ModerationAction).order_by(col(ModerationAction.id).desc()).limit(limit)
    if post_id is not None:
        statement = statement.where(col(ModerationAction.post_id) == post_id)
    if not auditor:
        spaces = moderated_spaces(session=session, gate=gate, subject=subject)
        if not spaces:
            gate.require(subject=subject, action=Action.MODERATE, domain=ORG_DOMAIN)
        statement = statement.where(col(ModerationAction.space_id).in_(sorted(spaces)))
    return list(session.exec(statement))
