"""Bodies of the suspension endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from townhall_contracts.policy import Action
from townhall_platform.params import Instant
from townhall_policy.fields import DomainId, Justification, SubjectId
from townhall_policy.holdings.suspensions.models import Suspension


class SuspensionCreate(BaseModel):
    """Suspend `subject` from `action` (every action when absent) in `domain` (org: anywhere)."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectId
    domain: DomainId
    action: Action | None = None
    justification: Justification
    valid_from: Instant | None = Field(default=None, description="Defaults to now")
    valid_to: Instant | None = Field(default=None, description="Until lifted when absent")


class SuspensionRead(BaseModel):
    id: str
    subject: str
    domain: str
    action: str | None
    valid_from: datetime
    valid_to: datetime | None
    created_by: str
    created_at: datetime
    justification: str
    lifted_at: datetime | None
    lifted_by: str | None
    lift_justification: str | None
    active: bool

    @classmethod
    def of(cls, s: Suspension, *, now: datetime) -> SuspensionRead:
        return cls(
            id=s.id,
            subject=s.subject_id,
            domain=s.domain,
            action=s.action,
            valid_from=s.valid_from,
            valid_to=s.valid_to,
            created_by=s.created_by,
            created_at=s.created_at,
            justification=s.justification,
            lifted_at=s.lifted_at,
            lifted_by=s.lifted_by,
            lift_justification=s.lift_justification,
            active=s.is_active_at(now),
        )


class SuspensionList(BaseModel):
    suspensions: list[SuspensionRead]
