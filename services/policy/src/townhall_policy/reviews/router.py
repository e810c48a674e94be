"""`/v1/audit/reviews`: access reviews of a domain's grants, with a CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlmodel import Session

from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses
from townhall_platform.params import NonNegativeInt
from townhall_policy.decisions.service import require_auditor
from townhall_policy.deps import PolicyEngineDep, SessionDep
from townhall_policy.export import ExportFormat, csv_response
from townhall_policy.grants.schemas import GrantRead
from townhall_policy.reviews import service
from townhall_policy.reviews.schemas import (
    ReviewClose,
    ReviewCreate,
    ReviewItemRead,
    ReviewItemRow,
    ReviewList,
    ReviewOutcome,
    ReviewRead,
    ReviewSummary,
)
from townhall_policy.timestamps import utcnow

router = APIRouter(prefix="/v1/audit/reviews", tags=["audit"])

REVIEW_ERRORS = problem_responses(401, 403, 404, 422, 503)
CSV_DOC: dict[str, object] = {"content": {"text/csv": {}}}
ReviewId = Annotated[str, Path(max_length=36)]


def _review_read(session: Session, review_id: str) -> ReviewRead:
    review = service.get_review(session, review_id)
    now = utcnow()
    items = [
        ReviewItemRead(
            grant=GrantRead.of(v.grant, now=now),
            granted_by=v.grant.granted_by,
            age_days=max(0, (now - v.grant.valid_from).days),
            last_used_at=v.last_used_at,
            uses=v.uses,
            outcome=v.item.outcome,
            decided_by=v.item.decided_by,
            decided_at=v.item.decided_at,
            justification=v.item.justification,
        )
        for v in service.review_items(session, review_id)
    ]
    return ReviewRead(
        id=review.id,
        domain=review.domain,
        opened_by=review.opened_by,
        opened_at=review.opened_at,
        justification=review.justification,
        closed_at=review.closed_at,
        closed_by=review.closed_by,
        closing_note=review.closing_note,
        pending=sum(1 for i in items if i.outcome is None),
        items=items,
    )


@router.post(
    "",
    response_model=ReviewRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open an access review of a domain's grants in force",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
def post_review(
    body: ReviewCreate, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> ReviewRead:
    """Compliance officers and policy admins review any domain; owners their own space."""
    service.authorize_review(policy.refresh_if_stale(), actor=caller.subject, domain=body.domain)
    policy.recorder.flush()  # last uses are up to date in the review
    review = service.open_review(
        session, domain=body.domain, opened_by=caller.subject, justification=body.justification
    )
    return _review_read(session, review.id)


@router.get(
    "",
    response_model=ReviewList,
    summary="Access reviews, newest first",
    responses=REVIEW_ERRORS,
)
def get_reviews(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    domain: Annotated[str | None, Query(max_length=80)] = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[NonNegativeInt, Query()] = 0,
) -> ReviewList:
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
    rows = service.list_reviews(
        session, domain=domain, open_only=open_only, limit=limit, offset=offset
    )
    return ReviewList(
        reviews=[
            ReviewSummary(
                id=r.id,
                domain=r.domain,
                opened_by=r.opened_by,
                opened_at=r.opened_at,
                closed_at=r.closed_at,
                closed_by=r.closed_by,
            )
            for r in rows
        ]
    )


@router.get(
    "/{review_id}",
    response_model=ReviewRead,
    summary="An access review: each grant with its grantor, age, last use and outcome",
    responses={200: CSV_DOC, **REVIEW_ERRORS},
)
def get_review(
    review_id: ReviewId,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    format: Annotated[ExportFormat, Query(description="json (default) or csv")] = ExportFormat.JSON,
) -> ReviewRead | Response:
    review = service.get_review(session, review_id)
    service.authorize_review(policy.refresh_if_stale(), actor=caller.subject, domain=review.domain)
    policy.recorder.flush()
    read = _review_read(session, review_id)
    if format is ExportFormat.CSV:
        return csv_response(
            [ReviewItemRow.of(read.id, i) for i in read.items],
            schema=ReviewItemRow,
            name=f"access-review-{review_id}",
        )
    return read


@router.post(
    "/{review_id}/items/{grant_id}",
    response_model=ReviewRead,
    summary="Keep or revoke one grant under review (revocation: the normal grant path)",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def post_review_outcome(
    review_id: ReviewId,
    grant_id: Annotated[str, Path(max_length=36)],
    body: ReviewOutcome,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> ReviewRead:
    """Revoking needs the authority to revoke that grant (policy admin, or the space's owner)."""
    snapshot = policy.refresh_if_stale()
    review = service.get_review(session, review_id)
    service.authorize_review(snapshot, actor=caller.subject, domain=review.domain)
    service.record_outcome(
        session,
        snapshot,
        review_id=review_id,
        grant_id=grant_id,
        outcome=body.outcome,
        actor=caller.subject,
        justification=body.justification,
    )
    return _review_read(session, review_id)


@router.post(
    "/{review_id}/close",
    response_model=ReviewRead,
    summary="Close an access review once every grant has an outcome",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)
def post_review_close(
    review_id: ReviewId,
    body: ReviewClose,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
) -> ReviewRead:
    review = service.get_review(session, review_id)
    service.authorize_review(policy.refresh_if_stale(), actor=caller.subject, domain=review.domain)
    service.close_review(
        session, review_id=review_id, actor=caller.subject, note=body.justification
    )
    return _review_read(session, review_id)
