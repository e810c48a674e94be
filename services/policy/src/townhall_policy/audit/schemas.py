"""What the audit endpoints answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from townhall_policy.grants.schemas import GrantRead, Justification
from townhall_policy.suspensions.schemas import SuspensionRead


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


class AuditEventList(BaseModel):
    events: list[AuditEventRead]
    next_after_seq: int | None = Field(description="Pass as `after_seq` for the next page")


class BrokenLinkRead(BaseModel):
    seq: int
    event_id: str | None
    problem: str


class VerifyReport(BaseModel):
    valid: bool
    events_checked: int
    head_seq: int
    head_hash: str
    first_broken: BrokenLinkRead | None
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


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: str = Field(max_length=80)
    justification: Justification


class ReviewOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["keep", "revoke"]
    justification: Justification


class ReviewClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    justification: Justification


class ReviewItemRead(BaseModel):
    grant: GrantRead
    granted_by: str
    age_days: int
    last_used_at: datetime | None
    uses: int
    outcome: str | None
    decided_by: str | None
    decided_at: datetime | None
    justification: str | None


class ReviewRead(BaseModel):
    id: str
    domain: str
    opened_by: str
    opened_at: datetime
    justification: str
    closed_at: datetime | None
    closed_by: str | None
    closing_note: str | None
    pending: int
    items: list[ReviewItemRead]


class ReviewSummary(BaseModel):
    id: str
    domain: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str | None


class ReviewList(BaseModel):
    reviews: list[ReviewSummary]
