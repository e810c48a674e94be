"""What the access review endpoints take and answer, and the rows of their CSV export."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from townhall_policy.fields import Justification
from townhall_policy.grants.schemas import GrantRead


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


class ReviewItemRow(BaseModel):
    """One CSV line of an access review: a grant under review and its outcome."""

    review_id: str
    grant_id: str
    subject: str
    role: str
    domain: str
    granted_by: str
    age_days: int
    last_used_at: datetime | None
    uses: int
    outcome: str | None
    decided_by: str | None
    justification: str | None

    @classmethod
    def of(cls, review_id: str, item: ReviewItemRead) -> ReviewItemRow:
        return cls(
            review_id=review_id,
            grant_id=item.grant.id,
            subject=item.grant.subject,
            role=item.grant.role,
            domain=item.grant.domain,
            granted_by=item.granted_by,
            age_days=item.age_days,
            last_used_at=item.last_used_at,
            uses=item.uses,
            outcome=item.outcome,
            decided_by=item.decided_by,
            justification=item.justification,
        )
