"""What publishing's `/v1/indicators` answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class OfficialReach(BaseModel):
    posts: int = Field(description="Official posts published in the period")
    audience: int = Field(description="Sum over those posts of their audience size")
    readers: int = Field(description="Sum over those posts of distinct readers who opened them")
    rate: float | None = Field(description="readers / audience")


class AcknowledgementIndicator(BaseModel):
    posts: int = Field(description="Published official posts asking for acknowledgement")
    expected: int = Field(description="Sum of their audience sizes")
    acknowledged: int
    rate: float | None
    median_seconds_to_acknowledge: float | None


class Indicators(BaseModel):
    """Per space or company-wide (`space_id` null), over [since, until)."""

    space_id: str | None
    since: datetime
    until: datetime
    posts_by_kind: dict[str, int]
    comments_by_kind: dict[str, int]
    active_contributors: int
    official_reach: OfficialReach
    acknowledgement: AcknowledgementIndicator
    social_posts_with_reply: int
    social_reply_share: float | None


class IndicatorChange(BaseModel):
    """One indicator over the period and over the period of the same length before it."""

    indicator: str
    current: float | None
    previous: float | None
    change: float | None = Field(description="current - previous; none when either is missing")


class IndicatorsComparison(BaseModel):
    """[since, until) against [previous_since, since), the span of the same length before."""

    space_id: str | None
    since: datetime
    until: datetime
    previous_since: datetime
    current: Indicators
    previous: Indicators
    changes: list[IndicatorChange]
