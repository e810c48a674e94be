"""`/v1/audit/...`: the compliance officers' questions, the trail and its verification.

Every answer exports as JSON (default) or CSV (`format=csv`); access reviews, under the
same prefix, are `reviews.router`'s.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from townhall_contracts.policy import DOMAIN_PATTERN, Action
from townhall_platform.app import CurrentUser
from townhall_platform.errors import ValidationFailed, problem_responses
from townhall_platform.params import Instant, NonNegativeInt
from townhall_policy.audit import repository as trail_repository
from townhall_policy.audit.models import AuditEvent
from townhall_policy.compliance import queries
from townhall_policy.compliance.schemas import (
    AuditEventList,
    AuditEventRead,
    DecisionLogList,
    DecisionLogRead,
    DecisionRow,
    GrantHistoryRead,
    GrantHistoryRow,
    HistoryEntryRead,
    SuspendedHolder,
    VerifyReport,
    WhatCanAnswerRead,
    WhatCanEntryRead,
    WhatCanRow,
    WhoCanAnswerRead,
    WhoCanHolder,
    WhoCanRow,
    verify_report,
)
from townhall_policy.compliance.verify import verify_trail
from townhall_policy.decision_log import repository as decision_log
from townhall_policy.decision_log.models import DecisionLogEntry
from townhall_policy.decisions.service import require_auditor
from townhall_policy.deps import AuditKeyringDep, PolicyEngineDep, SessionDep, SettingsDep
from townhall_policy.export import ExportFormat, csv_response
from townhall_policy.grants.schemas import GrantRead
from townhall_policy.suspensions.schemas import SuspensionRead
from townhall_policy.timestamps import as_utc, utcnow

router = APIRouter(prefix="/v1/audit", tags=["audit"])

AUDIT_ERRORS = problem_responses(401, 403, 404, 422, 503)
FormatQuery = Annotated[ExportFormat, Query(description="json (default) or csv")]
DomainQuery = Annotated[str, Query(pattern=DOMAIN_PATTERN, max_length=80)]
SubjectQuery = Annotated[str, Query(min_length=1, max_length=128)]
CSV_DOC: dict[str, Any] = {"content": {"text/csv": {}}}


def _instant(at: datetime | None) -> datetime:
    return as_utc(at) if at is not None else utcnow()


def _utc_or_none(at: datetime | None) -> datetime | None:
    return as_utc(at) if at is not None else None


def _event_read(event: AuditEvent) -> AuditEventRead:
    return AuditEventRead(
        seq=event.seq,
        id=event.id,
        occurred_at=event.occurred_at,
        actor=event.actor,
        event_type=event.event_type,
        target=event.target,
        domain=event.domain,
        justification=event.justification,
        payload=json.loads(event.payload),
        policy_revision=event.policy_revision,
        prev_hash=event.prev_hash,
        hash=event.hash,
        key_id=event.key_id,
    )


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
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
    rows = trail_repository.list_events(
        session,
        actor=actor,
        event_type=event_type,
        target=target,
        domain=domain,
        since=_utc_or_none(since),
        until=_utc_or_none(until),
        after_seq=after_seq,
        limit=limit,
    )
    events = [_event_read(e) for e in rows]
    if format is ExportFormat.CSV:
        return csv_response(events, schema=AuditEventRead, name="audit-events")
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
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
    return verify_report(verify_trail(session, keyring, settings.resolved_audit_checkpoint_dir))


def _who_can_holder(holding: queries.Holding, *, now: datetime) -> WhoCanHolder:
    return WhoCanHolder(
        subject=holding.subject,
        role=holding.role,
        via_group=holding.via_group,
        role_path=[
            f"user:{holding.subject}",
            *([f"group:{holding.via_group}"] if holding.via_group else []),
            f"{holding.role}@{holding.grant.domain}",
        ],
        grant=GrantRead.of(holding.grant, now=now),
    )


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
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
    instant = _instant(at)
    answer = queries.who_can(session, action=action.value, domain=domain, at=instant)
    now = utcnow()
    holders = [_who_can_holder(h, now=now) for h in answer.holdings]
    if format is ExportFormat.CSV:
        return csv_response(
            [WhoCanRow.of(h) for h in holders],
            schema=WhoCanRow,
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
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
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
            [row for e in entries for row in WhatCanRow.rows_of(subject, e)],
            schema=WhatCanRow,
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
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
    if subject is None and domain is None:
        raise ValidationFailed("Give a `subject`, a `domain`, or both.")
    now = utcnow()
    entries = [
        HistoryEntryRead(at=e.at, event=e.event, grant=GrantRead.of(e.grant, now=now))
        for e in queries.grant_history(session, subject_id=subject, domain=domain, limit=limit)
    ]
    if format is ExportFormat.CSV:
        return csv_response(
            [GrantHistoryRow.of(e) for e in entries], schema=GrantHistoryRow, name="grant-history"
        )
    return GrantHistoryRead(subject=subject, domain=domain, entries=entries)


def _decision_read(entry: DecisionLogEntry) -> DecisionLogRead:
    return DecisionLogRead(
        decision_id=entry.decision_id,
        timestamp=entry.timestamp,
        input=json.loads(entry.input),
        result=json.loads(entry.result),
        policy_revision=entry.policy_revision,
        requested_by=entry.requested_by,
    )


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
    require_auditor(policy.refresh_if_stale(), subject=caller.subject, recorder=policy.recorder)
    policy.recorder.flush()
    rows = decision_log.list_entries(
        session,
        decision_id=decision_id,
        subject=subject,
        action=action.value if action else None,
        domain=domain,
        allowed=allowed,
        requested_by=requested_by,
        since=_utc_or_none(since),
        until=_utc_or_none(until),
        limit=limit,
        offset=offset,
    )
    entries = [_decision_read(r) for r in rows]
    if format is ExportFormat.CSV:
        return csv_response(
            [DecisionRow.of(e) for e in entries], schema=DecisionRow, name="decisions"
        )
    return DecisionLogList(decisions=entries)
