"""What the compliance endpoints answer, and the rows of their CSV exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from townhall_policy.compliance.verify import Verification
from townhall_policy.grants.schemas import GrantRead
from townhall_policy.suspensions.schemas import SuspensionRead
from townhall_policy.timestamps import utcnow


class AuditEventRead(BaseModel):
    seq: int
    id: str
    occurred_at: datetime
    actor: str
    event_type: str
    target: str
    domain: str | None
    justification: str | None
    payload: dict[str, Any]
    policy_revision: int
    prev_hash: str
    hash: str
    key_id: str | None = Field(
        default=None, description="The audit key whose HMAC `hash` is (None before keying)"
    )


class AuditEventList(BaseModel):
    events: list[AuditEventRead]
    next_after_seq: int | None = Field(description="Pass as `after_seq` for the next page")


class BrokenLinkRead(BaseModel):
    seq: int
    event_id: str | None
    problem: str


class FindingRead(BaseModel):
    """One problem verify found: in the chain, against a checkpoint, or in a table."""

    kind: Literal["chain", "checkpoint", "table"]
    problem: str
    seq: int | None = Field(default=None, description="The event concerned, if one is")
    event_id: str | None = None
    table: str | None = Field(default=None, description="For table findings: the table")
    row: str | None = Field(default=None, description="For table findings: the row's id")


class CheckpointRead(BaseModel):
    seq: int
    hash: str
    created_at: datetime
    key_id: str


class VerifyReport(BaseModel):
    """Valid when the chain holds under the key, matches every checkpoint kept outside
    the database, and explains the grant, suspension, directory and domain tables."""

    valid: bool
    events_checked: int
    head_seq: int
    head_hash: str
    first_broken: BrokenLinkRead | None = Field(
        description="The first finding in the chain or against a checkpoint"
    )
    findings: list[FindingRead] = Field(description="Every finding (at most 200 listed)")
    findings_total: int
    keyed_from_seq: int | None = Field(
        description="The first event signed with the audit key (earlier ones: plain SHA-256)"
    )
    key_ids: list[str] = Field(description="Ids of the keys verify checked with, current first")
    checkpoints_checked: int
    latest_checkpoint: CheckpointRead | None
    other_trails: list[str] = Field(
        description="Trails of other databases whose checkpoints share the directory"
    )
    rows_checked: dict[str, int] = Field(description="Rows compared with the trail, per table")
    verified_at: datetime


class WhoCanHolder(BaseModel):
    subject: str
    role: str
    via_group: str | None
    role_path: list[str]
    grant: GrantRead


class SuspendedHolder(BaseModel):
    subject: str
    suspension: SuspensionRead


class WhoCanAnswerRead(BaseModel):
    action: str
    domain: str
    domain_class: str
    at: datetime
    subjects: list[str]
    holders: list[WhoCanHolder]
    suspended: list[SuspendedHolder]


class WhatCanEntryRead(BaseModel):
    role: str
    domain: str
    via_group: str | None
    grant: GrantRead
    permissions: dict[str, list[str]] = Field(description="Domain class → actions allowed")


class WhatCanAnswerRead(BaseModel):
    subject: str
    at: datetime
    active: bool
    entries: list[WhatCanEntryRead]
    suspensions: list[SuspensionRead]


class HistoryEntryRead(BaseModel):
    at: datetime
    event: Literal["granted", "starts", "revoked", "expires"]
    grant: GrantRead


class GrantHistoryRead(BaseModel):
    subject: str | None
    domain: str | None
    entries: list[HistoryEntryRead]


class DecisionLogRead(BaseModel):
    decision_id: str
    timestamp: datetime
    input: dict[str, Any]
    result: dict[str, Any]
    policy_revision: int
    requested_by: str


class DecisionLogList(BaseModel):
    decisions: list[DecisionLogRead]


class WhoCanRow(BaseModel):
    """One CSV line of who-can: a holder and the grant behind it."""

    subject: str
    role: str
    grant_domain: str
    via_group: str | None
    grant_id: str
    granted_by: str
    granted_at: datetime
    justification: str
    valid_from: datetime
    valid_to: datetime | None

    @classmethod
    def of(cls, holder: WhoCanHolder) -> WhoCanRow:
        grant = holder.grant
        return cls(
            subject=holder.subject,
            role=holder.role,
            grant_domain=grant.domain,
            via_group=holder.via_group,
            grant_id=grant.id,
            granted_by=grant.granted_by,
            granted_at=grant.granted_at,
            justification=grant.justification,
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
        )


class WhatCanRow(BaseModel):
    """One CSV line of what-can: a role held, for one domain class it acts in."""

    subject: str
    role: str
    grant_domain: str
    via_group: str | None
    domain_class: str
    actions: list[str]
    grant_id: str
    granted_by: str
    valid_to: datetime | None

    @classmethod
    def rows_of(cls, subject: str, entry: WhatCanEntryRead) -> list[WhatCanRow]:
        return [
            cls(
                subject=subject,
                role=entry.role,
                grant_domain=entry.domain,
                via_group=entry.via_group,
                domain_class=domain_class,
                actions=actions,
                grant_id=entry.grant.id,
                granted_by=entry.grant.granted_by,
                valid_to=entry.grant.valid_to,
            )
            for domain_class, actions in entry.permissions.items()
        ]


class GrantHistoryRow(BaseModel):
    """One CSV line of a grant timeline."""

    at: datetime
    event: str
    grant_id: str
    subject: str
    role: str
    domain: str
    granted_by: str
    justification: str
    revoked_by: str | None
    revocation_justification: str | None

    @classmethod
    def of(cls, entry: HistoryEntryRead) -> GrantHistoryRow:
        grant = entry.grant
        return cls(
            at=entry.at,
            event=entry.event,
            grant_id=grant.id,
            subject=grant.subject,
            role=grant.role,
            domain=grant.domain,
            granted_by=grant.granted_by,
            justification=grant.justification,
            revoked_by=grant.revoked_by,
            revocation_justification=grant.revocation_justification,
        )


class DecisionRow(BaseModel):
    """One CSV line of the decision log."""

    decision_id: str
    timestamp: datetime
    subject: str
    action: str
    domain: str
    allowed: bool
    reason: str
    policy_revision: int
    requested_by: str

    @classmethod
    def of(cls, entry: DecisionLogRead) -> DecisionRow:
        return cls(
            decision_id=entry.decision_id,
            timestamp=entry.timestamp,
            subject=entry.input["subject"],
            action=entry.input["action"],
            domain=entry.input["domain"],
            allowed=entry.result["allowed"],
            reason=entry.result["reason"]["summary"],
            policy_revision=entry.policy_revision,
            requested_by=entry.requested_by,
        )


def verify_report(outcome: Verification) -> VerifyReport:
    """The answer for a verification (`first_broken` kept for clients that read only it)."""
    first = next((f for f in outcome.findings if f.kind != "table"), None)
    chain = outcome.chain
    latest = chain.latest_checkpoint
    return VerifyReport(
        valid=outcome.valid,
        events_checked=chain.events_checked,
        head_seq=chain.head_seq,
        head_hash=chain.head_hash,
        first_broken=BrokenLinkRead(
            seq=first.seq if first.seq is not None else chain.head_seq,
            event_id=first.event_id,
            problem=first.problem,
        )
        if first is not None
        else None,
        findings=[
            FindingRead(
                kind=f.kind,
                problem=f.problem,
                seq=f.seq,
                event_id=f.event_id,
                table=f.table,
                row=f.row,
            )
            for f in outcome.findings
        ],
        findings_total=outcome.findings_total,
        keyed_from_seq=chain.keyed_from_seq,
        key_ids=chain.key_ids,
        checkpoints_checked=chain.checkpoints_checked,
        latest_checkpoint=CheckpointRead(
            seq=latest.seq, hash=latest.hash, created_at=latest.created_at, key_id=latest.key_id
        )
        if latest is not None
        else None,
        other_trails=chain.other_trails,
        rows_checked=outcome.rows_checked,
        verified_at=utcnow(),
    )
