"""Tables of access reviews and their items (one per grant under review)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String
from sqlmodel import Field

from townhall_policy.database import PolicyTable
from townhall_policy.timestamps import UtcDateTime


def new_review_id() -> str:
    return str(uuid.uuid4())


class AccessReview(PolicyTable, table=True):
    """A review of the grants in force in one domain when it was opened."""

    __tablename__ = "access_reviews"

    id: str = Field(default_factory=new_review_id, primary_key=True, max_length=36)
    domain: str = Field(
        sa_column=Column(String(80), ForeignKey("domains.id"), nullable=False, index=True)
    )
    opened_by: str = Field(sa_column=Column(String(128), nullable=False))
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    justification: str = Field(sa_column=Column(String(1000), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    closed_by: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    closing_note: str | None = Field(default=None, sa_column=Column(String(1000), nullable=True))


class AccessReviewItem(PolicyTable, table=True):
    """One grant under review and what the reviewer decided about it."""

    __tablename__ = "access_review_items"
    __table_args__ = (
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('keep', 'revoke')", name="ck_review_items_outcome"
        ),
    )

    review_id: str = Field(
        sa_column=Column(String(36), ForeignKey("access_reviews.id"), primary_key=True)
    )
    grant_id: str = Field(sa_column=Column(String(36), ForeignKey("grants.id"), primary_key=True))
    outcome: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    decided_by: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True)
    )
    justification: str | None = Field(default=None, sa_column=Column(String(1000), nullable=True))
