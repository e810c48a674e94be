"""`/v1/audit/...`: the compliance officers' questions, the trail, its verification, reviews.

Every answer exports as JSON (default) or CSV (`format=csv`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from townhall_contracts.policy import DOMAIN_PATTERN, ORG_DOMAIN, Action
from townhall_platform.app import CurrentUser
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_platform.params import Instant, NonNegativeInt
from townhall_policy.audit import queries
from townhall_policy.audit import repository as trail_repository
from townhall_policy.audit.export import ExportFormat, csv_response
from townhall_policy.audit.schemas import (
    AuditEventList,
    AuditEventRead,
    DecisionLogList,
    DecisionLogRead,
    GrantHistoryRead,
    HistoryEntryRead,
    ReviewClose,
    ReviewCreate,
    ReviewItemRead,
    ReviewList,
    ReviewOutcome,
    ReviewRead,
    ReviewSummary,
    SuspendedHolder,
    VerifyReport,
    WhatCanAnswerRead,
    WhatCanEntryRead,
    WhoCanAnswerRead,
    WhoCanHolder,
    verify_report,
)
from townhall_policy.audit.verify import verify_trail
from townhall_policy.decision_log import repository as decision_log
from townhall_policy.decisions.service import require_any
from townhall_policy.deps import AuditKeyringDep, PolicyEngineDep, SessionDep, SettingsDep
from townhall_policy.enforcement.engine import PolicyEngine
from townhall_policy.grants.schemas import GrantRead
from townhall_policy.reviews import service as reviews
from townhall_policy.suspensions.schemas import SuspensionRead
from townhall_policy.timestamps import as_utc, utcnow

router = APIRouter(prefix="/v1/audit", tags=["audit"])

AUDIT_ERRORS = problem_responses(401, 403, 404, 422, 503)
FormatQuery = Annotated[ExportFormat, Query(description="json (default) or csv")]
DomainQuery = Annotated[str, Query(pattern=DOMAIN_PATTERN, max_length=80)]
SubjectQuery = Annotated[str, Query(min_length=1, max_length=128)]
CSV_DOC: dict[str, Any] = {"content": {"text/csv": {}}}


def _require_auditor(policy: PolicyEngine, subject: str) -> None:
    """Compliance officers (`audit.read`) and policy admins (`grants.manage`) read the audit."""
    require_any(
        policy.refresh_if_stale(),
        subject=subject,
        actions=[Action.AUDIT_READ, Action.GRANTS_MANAGE],
        domain=ORG_DOMAIN,
        recorder=policy.recorder,
    )


def _instant(at: datetime | None) -> datetime:
    return as_utc(at) if at is not None else utcnow()


@router.get(
    "/events",
    response_model=AuditEventList,
    summary="The audit trail: every change, in order, with its chain link",
    responses={200: CSV_DOC, **AUDIT_ERRORS},
)
def get_events(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    actor: Annotated[str | None, Query(max_length=128)] = None,
    event_type: Annotated[str | None, Query(max_length=64)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    domain: Annotated[str | None, Query(max_length=80)] = None,
    since: Instant | None = None,
    until: Instant | None = None,
    after_seq: Annotated[NonNegativeInt, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    format: FormatQuery = ExportFormat.JSON,
) -> AuditEventList | Response:
    """Filters combine; page with `after_seq`."""
    _require_auditor(policy, caller.subject)
    rows = trail_repository.list_events(
        session,
        actor=actor,
        event_type=event_type,
        target=target,
        domain=domain,
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
        after_seq=after_seq,
        limit=limit,
    )
    events = [
        AuditEventRead(
            seq=e.seq,
            id=e.id,
            occurred_at=e.occurred_at,
            actor=e.actor,
            event_type=e.event_type,
            target=e.target,
            domain=e.domain,
            justification=e.justification,
            payload=json.loads(e.payload),
            policy_revision=e.policy_revision,
            prev_hash=e.prev_hash,
            hash=e.hash,
            key_id=e.key_id,
        )
        for e in rows
    ]
    if format is ExportFormat.CSV:
        columns = list(AuditEventRead.model_fields)
        return csv_response(
            ({**e.model_dump(), "payload": json.dumps(e.payload, sort_keys=True)} for e in events),
            columns=columns,
            name="audit-events",
        )
    return AuditEventList(
        events=events, next_after_seq=events[-1].seq if len(events) == limit else None
    )


@router.get(
    "/verify",
    response_model=VerifyReport,
    summary="Verify the trail: its keyed chain, its checkpoints, and the tables it explains",
    responses=problem_responses(401, 403, 503),
)
def get_verify(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    settings: SettingsDep,
    keyring: AuditKeyringDep,
) -> VerifyReport:
    """`valid: false` with every finding: an event edited, removed, reordered or rewritten
    without the key; a truncation or rewrite before a checkpoint; a grant, suspension,
    directory or domain row that differs from what the trail says."""
    _require_auditor(policy, caller.subject)
    return verify_report(verify_trail(session, keyring, settings.resolved_audit_checkpoint_dir))


@router.get(
    "/who-can",
    response_model=WhoCanAnswerRead,
    summary="Who could do an action in a domain at an instant (now by default), and why",
    responses={200: CSV_DOC, **AUDIT_ERRORS},
)
def get_who_can(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    action: Action,
    domain: DomainQuery,
    at: Instant | None = None,
    format: FormatQuery = ExportFormat.JSON,
) -> WhoCanAnswerRead | Response:
    """Answered from grant history, directory history and suspensions at `at`."""
    _require_auditor(policy, caller.subject)
    instant = _instant(at)
    answer = queries.who_can(session, action=action.value, domain=domain, at=instant)
    now = utcnow()
    holders = [
        WhoCanHolder(
            subject=h.subject,
            role=h.role,
            via_group=h.via_group,
            role_path=[
                f"user:{h.subject}",
                *([f"group:{h.via_group}"] if h.via_group else []),
                f"{h.role}@{h.grant.domain}",
            ],
            grant=GrantRead.of(h.grant, now=now),
        )
        for h in answer.holdings
    ]
    if format is ExportFormat.CSV:
        return csv_response(
            (
                {
                    "subject": h.subject,
                    "role": h.role,
                    "grant_domain": h.grant.domain,
                    "via_group": h.via_group,
                    "grant_id": h.grant.id,
                    "granted_by": h.grant.granted_by,
                    "granted_at": h.grant.granted_at,
                    "justification": h.grant.justification,
                    "valid_from": h.grant.valid_from,
                    "valid_to": h.grant.valid_to,
                }
                for h in holders
            ),
            columns=[
                "subject",
                "role",
                "grant_domain",
                "via_group",
                "grant_id",
                "granted_by",
                "granted_at",
                "justification",
                "valid_from",
                "valid_to",
            ],
            name=f"who-can-{action.value}-{domain.replace(':', '-')}",
        )
    return WhoCanAnswerRead(
        action=answer.action,
        domain=answer.domain,
        domain_class=answer.domain_class,
        at=instant,
        subjects=sorted({h.subject for h in holders}),
        holders=holders,
        suspended=[
            SuspendedHolder(subject=s, suspension=SuspensionRead.of(susp, now=now))
            for s, susp in sorted(answer.suspended.items())
        ],
    )


@router.get(
    "/what-can",
    response_model=WhatCanAnswerRead,
    summary="What a subject could do at an instant (now by default), grant by grant",
    responses={200: CSV_DOC, **AUDIT_ERRORS},
)
def get_what_can(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    subject: SubjectQuery,
    at: Instant | None = None,
    format: FormatQuery = ExportFormat.JSON,
) -> WhatCanAnswerRead | Response:
    _require_auditor(policy, caller.subject)
    instant = _instant(at)
    answer = queries.what_can(session, subject_id=subject, at=instant)
    now = utcnow()
    entries = [
        WhatCanEntryRead(
            role=e.role,
            domain=e.domain,
            via_group=e.via_group,
            grant=GrantRead.of(e.grant, now=now),
            permissions=e.permissions,
        )
        for e in answer.entries
    ]
    if format is ExportFormat.CSV:
        return csv_response(
            (
                {
                    "subject": subject,
                    "role": e.role,
                    "grant_domain": e.domain,
                    "via_group": e.via_group,
                    "domain_class": cls,
                    "actions": actions,
                    "grant_id": e.grant.id,
                    "granted_by": e.grant.granted_by,
                    "valid_to": e.grant.valid_to,
                }
                for e in entries
                for cls, actions in e.permissions.items()
            ),
            columns=[
                "subject",
                "role",
                "grant_domain",
                "via_group",
                "domain_class",
                "actions",
                "grant_id",
                "granted_by",
                "valid_to",
            ],
            name=f"what-can-{subject}",
        )
    return WhatCanAnswerRead(
        subject=subject,
        at=instant,
        active=answer.active,
        entries=entries,
        suspensions=[SuspensionRead.of(s, now=now) for s in answer.suspensions],
    )


@router.get(
    "/grant-history",
    response_model=GrantHistoryRead,
    summary="The grant timeline of a subject or of a domain",
    responses={200: CSV_DOC, **AUDIT_ERRORS},
)
def get_grant_history(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    subject: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    domain: Annotated[str | None, Query(pattern=DOMAIN_PATTERN, max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    format: FormatQuery = ExportFormat.JSON,
) -> GrantHistoryRead | Response:
    """Give `subject`, `domain` or both."""
    _require_auditor(policy, caller.subject)
    if subject is None and domain is None:
        raise ValidationFailed("Give a `subject`, a `domain`, or both.")
    now = utcnow()
    entries = [
        HistoryEntryRead(at=e.at, event=e.event, grant=GrantRead.of(e.grant, now=now))
        for e in queries.grant_history(session, subject_id=subject, domain=domain, limit=limit)
    ]
    if format is ExportFormat.CSV:
        columns = [
            "at",
            "event",
            "grant_id",
            "subject",
            "role",
            "domain",
            "granted_by",
            "justification",
            "revoked_by",
            "revocation_justification",
        ]
        return csv_response(
            (
                {
                    "at": e.at,
                    "event": e.event,
                    "grant_id": e.grant.id,
                    "subject": e.grant.subject,
                    "role": e.grant.role,
                    "domain": e.grant.domain,
                    "granted_by": e.grant.granted_by,
                    "justification": e.grant.justification,
                    "revoked_by": e.grant.revoked_by,
                    "revocation_justification": e.grant.revocation_justification,
                }
                for e in entries
            ),
            columns=columns,
            name="grant-history",
        )
    return GrantHistoryRead(subject=subject, domain=domain, entries=entries)


@router.get(
    "/decisions",
    response_model=DecisionLogList,
    summary="The decision log: official actions and every refusal (OPA's fields)",
    responses={200: CSV_DOC, **AUDIT_ERRORS},
)
def get_decisions(
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    decision_id: Annotated[str | None, Query(max_length=36)] = None,
    subject: Annotated[str | None, Query(max_length=128)] = None,
    action: Action | None = None,
    domain: Annotated[str | None, Query(max_length=80)] = None,
    allowed: bool | None = None,
    requested_by: Annotated[str | None, Query(max_length=128)] = None,
    since: Instant | None = None,
    until: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    offset: Annotated[NonNegativeInt, Query()] = 0,
    format: FormatQuery = ExportFormat.JSON,
) -> DecisionLogList | Response:
    """Newest first. Refusals and official decisions are in the log before they are answered."""
    _require_auditor(policy, caller.subject)
    policy.recorder.flush()
    rows = decision_log.list_entries(
        session,
        decision_id=decision_id,
        subject=subject,
        action=action.value if action else None,
        domain=domain,
        allowed=allowed,
        requested_by=requested_by,
        since=as_utc(since) if since else None,
        until=as_utc(until) if until else None,
        limit=limit,
        offset=offset,
    )
    entries = [
        DecisionLogRead(
            decision_id=r.decision_id,
            timestamp=r.timestamp,
            input=json.loads(r.input),
            result=json.loads(r.result),
            policy_revision=r.policy_revision,
            requested_by=r.requested_by,
        )
        for r in rows
    ]
    if format is ExportFormat.CSV:
        return csv_response(
            (
                {
                    "decision_id": e.decision_id,
                    "timestamp": e.timestamp,
                    "subject": e.input["subject"],
                    "action": e.input["action"],
                    "domain": e.input["domain"],
                    "allowed": e.result["allowed"],
                    "reason": e.result["reason"]["summary"],
                    "policy_revision": e.policy_revision,
                    "requested_by": e.requested_by,
                }
                for e in entries
            ),
            columns=[
                "decision_id",
                "timestamp",
                "subject",
                "action",
                "domain",
                "allowed",
                "reason",
                "policy_revision",
                "requested_by",
            ],
            name="decisions",
        )
    return DecisionLogList(decisions=entries)


def _review_read(session: Any, review_id: str) -> ReviewRead:
    review = reviews.get_review(session, review_id)
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
        for v in reviews.review_items(session, review_id)
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
    "/reviews",
    response_model=ReviewRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open an access review of a domain's grants in force",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
def post_review(
    body: ReviewCreate, caller: CurrentUser, session: SessionDep, policy: PolicyEngineDep
) -> ReviewRead:
    """Compliance officers and policy admins review any domain; owners their own space."""
    reviews.authorize_review(policy.refresh_if_stale(), actor=caller.subject, domain=body.domain)
    policy.recorder.flush()  # last uses are up to date in the review
    review = reviews.open_review(
        session, domain=body.domain, opened_by=caller.subject, justification=body.justification
    )
    return _review_read(session, review.id)


@router.get(
    "/reviews",
    response_model=ReviewList,
    summary="Access reviews, newest first",
    responses=AUDIT_ERRORS,
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
    _require_auditor(policy, caller.subject)
    rows = reviews.list_reviews(
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


ReviewId = Annotated[str, Path(max_length=36)]


@router.get(
    "/reviews/{review_id}",
    response_model=ReviewRead,
    summary="An access review: each grant with its grantor, age, last use and outcome",
    responses={200: CSV_DOC, **AUDIT_ERRORS},
)
def get_review(
    review_id: ReviewId,
    caller: CurrentUser,
    session: SessionDep,
    policy: PolicyEngineDep,
    format: FormatQuery = ExportFormat.JSON,
) -> ReviewRead | Response:
    review = reviews.get_review(session, review_id)
    reviews.authorize_review(policy.refresh_if_stale(), actor=caller.subject, domain=review.domain)
    policy.recorder.flush()
    read = _review_read(session, review_id)
    if format is ExportFormat.CSV:
        return csv_response(
            (
                {
                    "review_id": read.id,
                    "grant_id": i.grant.id,
                    "subject": i.grant.subject,
                    "role": i.grant.role,
                    "domain": i.grant.domain,
                    "granted_by": i.granted_by,
                    "age_days": i.age_days,
                    "last_used_at": i.last_used_at,
                    "uses": i.uses,
                    "outcome": i.outcome,
                    "decided_by": i.decided_by,
                    "justification": i.justification,
                }
                for i in read.items
            ),
            columns=[
                "review_id",
                "grant_id",
                "subject",
                "role",
                "domain",
                "granted_by",
                "age_days",
                "last_used_at",
                "uses",
                "outcome",
                "decided_by",
                "justification",
            ],
            name=f"access-review-{review_id}",
        )
    return read


@router.post(
    "/reviews/{review_id}/items/{grant_id}",
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
    review = reviews.get_review(session, review_id)
    reviews.authorize_review(snapshot, actor=caller.subject, domain=review.domain)
    reviews.record_outcome(
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
    "/reviews/{review_id}/close",
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
    review = reviews.get_review(session, review_id)
    reviews.authorize_review(policy.refresh_if_stale(), actor=caller.subject, domain=review.domain)
    reviews.close_review(
        session, review_id=review_id, actor=caller.subject, note=body.justification
    )
    return _review_read(session, review_id)
