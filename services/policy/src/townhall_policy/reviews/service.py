"""Access reviews: open one on a domain, keep or revoke each grant, close it.

Revocations go through the normal grant path (same authority, same audit event);
review steps are audit events too, without bumping the policy revision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from townhall_contracts.policy import ORG_DOMAIN, Action
from townhall_platform.errors import PermissionDenied
from townhall_policy.audit.trail import record_event
from townhall_policy.decision_log.models import GrantUsage
from townhall_policy.decisions.service import check
from townhall_policy.domains import repository as domains
from townhall_policy.domains.errors import UnknownDomain
from townhall_policy.enforcement.snapshot import PolicySnapshot
from townhall_policy.grants import service as grant_service
from townhall_policy.grants.authority import authorize_grant_change
from townhall_policy.holdings.grants import repository as grants
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.reviews.errors import (
    ReviewClosed,
    ReviewIncomplete,
    ReviewItemDecided,
    ReviewItemNotFound,
    ReviewNotFound,
)
from townhall_policy.reviews.models import AccessReview, AccessReviewItem
from townhall_policy.timestamps import utcnow

KEEP = "keep"
REVOKE = "revoke"


def authorize_review(snapshot: PolicySnapshot, *, actor: str, domain: str) -> None:
    """Compliance officers and policy admins review any domain; owners review their space."""
    for action, where in (
        (Action.AUDIT_READ, ORG_DOMAIN),
        (Action.GRANTS_MANAGE, ORG_DOMAIN),
        (Action.MANAGE_MEMBERS, domain),
    ):
        if (
            where in snapshot.domains
            and check(snapshot, subject=actor, action=action, domain=where).allowed
        ):
            return
    first = check(snapshot, subject=actor, action=Action.AUDIT_READ, domain=ORG_DOMAIN)
    needs = f"needs role compliance_officer or policy_admin in org, or owner in {domain}"
    raise PermissionDenied(
        f"{actor} may not review access in {domain}: {needs}",
        reason={**first.reason.model_dump(mode="json"), "missing": needs},
        decision_id=first.decision_id,
        policy_revision=first.policy_revision,
    )


@dataclass(frozen=True)
class ReviewItemView:
    item: AccessReviewItem
    grant: Grant
    last_used_at: datetime | None
    uses: int


def open_review(
    session: Session, *, domain: str, opened_by: str, justification: str
) -> AccessReview:
    """Open a review of every grant in force in `domain` now."""
    if domains.get_domain(session, domain) is None:
        raise UnknownDomain(f"Domain {domain!r} is not registered with policy.")
    now = utcnow()
    review = AccessReview(
        domain=domain, opened_by=opened_by, opened_at=now, justification=justification
    )
    session.add(review)
    session.flush()
    in_force = grants.list_grants(session, domain=domain, active_at=now, limit=1_000_000)
    session.add_all(AccessReviewItem(review_id=review.id, grant_id=g.id) for g in in_force)
    session.flush()
    record_event(
        session,
        actor=opened_by,
        event_type="review.opened",
        target=f"review:{review.id}",
        domain=domain,
        justification=justification,
        payload={"review_id": review.id, "grants": len(in_force)},
        changes_policy=False,
    )
    return review


def get_review(session: Session, review_id: str) -> AccessReview:
    review = session.get(AccessReview, review_id)
    if review is None:
        raise ReviewNotFound(f"No access review {review_id!r}.")
    return review


def list_reviews(
    session: Session, *, domain: str | None, open_only: bool, limit: int, offset: int
) -> Sequence[AccessReview]:
    statement = select(AccessReview)
    if domain is not None:
        statement = statement.where(AccessReview.domain == domain)
    if open_only:
        statement = statement.where(col(AccessReview.closed_at).is_(None))
    statement = statement.order_by(col(AccessReview.opened_at).desc(), col(AccessReview.id))
    return session.exec(statement.offset(offset).limit(limit)).all()


def review_items(session: Session, review_id: str) -> list[ReviewItemView]:
    """The grants under review with their grantor, age and last use."""
    rows = session.exec(
        select(AccessReviewItem, Grant)
        .join(Grant, col(Grant.id) == col(AccessReviewItem.grant_id))
        .where(AccessReviewItem.review_id == review_id)
        .order_by(col(Grant.subject_id), col(Grant.role))
    ).all()
    usage = {
        u.grant_id: u
        for u in session.exec(
            select(GrantUsage).where(col(GrantUsage.grant_id).in_([g.id for _, g in rows]))
        ).all()
    }
    views = []
    for item, grant in rows:
        used = usage.get(grant.id)
        views.append(
            ReviewItemView(
                item=item,
                grant=grant,
                last_used_at=used.last_used_at if used else None,
                uses=used.uses if used else 0,
            )
        )
    return views


def record_outcome(
    session: Session,
    snapshot: PolicySnapshot,
    *,
    review_id: str,
    grant_id: str,
    outcome: str,
    actor: str,
    justification: str,
) -> AccessReviewItem:
    """Keep or revoke one grant; a revocation goes through the normal grant path."""
    review = get_review(session, review_id)
    if review.closed_at is not None:
        raise ReviewClosed(f"Access review {review_id} was closed by {review.closed_by}.")
    item = session.get(AccessReviewItem, (review_id, grant_id))
    if item is None:
        raise ReviewItemNotFound(f"Grant {grant_id!r} is not under access review {review_id}.")
    if item.outcome is not None:
        raise ReviewItemDecided(
            f"Grant {grant_id} was already marked {item.outcome} by {item.decided_by}."
        )
    if outcome == REVOKE:
        grant = grant_service.get_grant(session, grant_id)
        authorize_grant_change(
            session,
            snapshot,
            actor=actor,
            subject=grant.subject_id,
            role=grant.role,
            domain=grant.domain,
            verb="revoke",
        )
        if grant.revoked_at is None:
            grant_service.revoke_grant(
                session,
                snapshot,
                grant_id=grant_id,
                revoked_by=actor,
                justification=f"Access review {review_id}: {justification}",
            )
    item.outcome = outcome
    item.decided_by = actor
    item.decided_at = utcnow()
    item.justification = justification
    session.add(item)
    session.flush()
    record_event(
        session,
        actor=actor,
        event_type="review.item_recorded",
        target=f"review:{review_id}",
        domain=review.domain,
        justification=justification,
        payload={"review_id": review_id, "grant_id": grant_id, "outcome": outcome},
        changes_policy=False,
    )
    return item


def close_review(session: Session, *, review_id: str, actor: str, note: str) -> AccessReview:
    """Close a review whose every grant was kept or revoked."""
    review = get_review(session, review_id)
    if review.closed_at is not None:
        raise ReviewClosed(f"Access review {review_id} was already closed by {review.closed_by}.")
    pending = session.exec(
        select(AccessReviewItem.grant_id).where(
            AccessReviewItem.review_id == review_id, col(AccessReviewItem.outcome).is_(None)
        )
    ).all()
    if pending:
        raise ReviewIncomplete(
            f"{len(pending)} grant(s) of access review {review_id} have no outcome yet.",
            pending_grant_ids=sorted(pending),
        )
    review.closed_at = utcnow()
    review.closed_by = actor
    review.closing_note = note
    session.add(review)
    session.flush()
    record_event(
        session,
        actor=actor,
        event_type="review.closed",
        target=f"review:{review_id}",
        domain=review.domain,
        justification=note,
        payload={"review_id": review_id},
        changes_policy=False,
    )
    return review
