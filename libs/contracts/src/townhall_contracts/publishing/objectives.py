"""Objectives: a quantifiable goal on one metric of the catalogue, and its progress.

What `/v1/metrics` and `/v1/objectives` accept and answer. The metrics themselves (their
formulas) are defined in one place in publishing (`objectives/catalogue.py`) and
described in `docs/indicators.md`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .fields import Reason

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
ScopeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,126}$")]
SubjectId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,127}$")]
# The latest an objective may run: long enough for a yearly goal and its review.
MAX_PERIOD_DAYS = 3 * 366


class MetricKey(StrEnum):
    ACKNOWLEDGEMENT_RATE = "acknowledgement_rate"
    ACKNOWLEDGEMENT_MEDIAN_HOURS = "acknowledgement_median_hours"
    OFFICIAL_REACH = "official_reach"
    QUESTIONS_ANSWERED = "questions_answered"
    QUESTIONS_ANSWERED_OFFICIALLY = "questions_answered_officially"
    FIRST_ANSWER_MEDIAN_HOURS = "first_answer_median_hours"
    PARTICIPATION = "participation"
    CONTRIBUTORS_PER_HUNDRED_READERS = "contributors_per_hundred_readers"
    NEW_CONTRIBUTORS = "new_contributors"
    CROSS_SILO_EXCHANGE = "cross_silo_exchange"
    REPORTS = "reports"
    REPORT_HANDLING_MEDIAN_HOURS = "report_handling_median_hours"
    SEARCH_SUCCESS = "search_success"


class Unit(StrEnum):
    SHARE = "share"  # a fraction between 0 and 1
    HOURS = "hours"
    COUNT = "count"
    PER_HUNDRED = "per_hundred"


class Direction(StrEnum):
    AT_LEAST = "at_least"  # the target is a floor: higher is better
    AT_MOST = "at_most"  # the target is a ceiling: lower is better


class ScopeKind(StrEnum):
    COMPANY = "company"
    SPACE = "space"
    GROUP = "group"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


class Outcome(StrEnum):
    ACHIEVED = "achieved"
    MISSED = "missed"
    ABANDONED = "abandoned"


class ObjectiveState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class MetricDefinition(BaseModel):
    """One metric of the catalogue, as documented: what it counts and how."""

    key: MetricKey
    name: str
    formula: str
    unit: Unit
    counts: list[str] = Field(description="The events and rows the metric is computed from")
    better: Direction
    minimum: float
    maximum: float | None
    window: str | None = Field(description="What the objective's `window` means, if used")
    default_window: int | None
    privacy_floor: int = Field(description="No value over fewer people than this")


class Scope(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ScopeKind
    id: ScopeId | None = Field(default=None, description="The space or group; none for company")

    @model_validator(mode="after")
    def _id_matches_kind(self) -> Scope:
        if (self.kind == ScopeKind.COMPANY) != (self.id is None):
            raise ValueError("a company scope has no id; a space or group scope needs one")
        return self


class ObjectiveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    owner_id: SubjectId | None = Field(default=None, description="Default: the caller")
    scope: Scope
    metric: MetricKey
    window: int | None = Field(
        default=None, ge=1, le=365, description="The metric's N (days or hours), if it has one"
    )
    target: float
    direction: Direction | None = Field(default=None, description="Default: the metric's")
    starts_on: date
    ends_on: date
    cadence: Cadence = Cadence.WEEKLY

    @model_validator(mode="after")
    def _period(self) -> ObjectiveCreate:
        if self.ends_on <= self.starts_on:
            raise ValueError("the period must end after it starts")
        if (self.ends_on - self.starts_on).days > MAX_PERIOD_DAYS:
            raise ValueError(f"the period is limited to {MAX_PERIOD_DAYS} days")
        return self


class ObjectivePatch(BaseModel):
    """Only the fields given change; each change is kept in the objective's history."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    owner_id: SubjectId | None = None
    target: float | None = None
    ends_on: date | None = None
    cadence: Cadence | None = None
    reason: Reason


class ObjectiveClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    reason: Reason


class ObjectiveChange(BaseModel):
    at: datetime
    by: str
    changes: dict[str, list[str | float | None]] = Field(description="field: [before, after]")
    reason: str


class ObjectiveRead(BaseModel):
    id: str
    name: str
    owner_id: str
    scope: Scope
    metric: MetricKey
    unit: Unit
    window: int | None
    target: float
    direction: Direction
    starts_on: date
    ends_on: date
    cadence: Cadence
    baseline: float | None
    baseline_at: datetime
    state: ObjectiveState
    outcome: Outcome | None
    closed_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    value: float | None = Field(default=None, description="Today's value")
    expected: float | None = Field(default=None, description="Where the path says it should be")
    status: Status = Status.NO_DATA
    history: list[ObjectiveChange] = Field(default_factory=list)


class ObjectiveList(BaseModel):
    objectives: list[ObjectiveRead]


class ObjectiveExportRow(BaseModel):
    """One objective as a flat line of the BI export (`GET /v1/objectives?format=csv`)."""

    id: str
    name: str
    owner_id: str
    scope_kind: ScopeKind
    scope_id: str | None
    metric: MetricKey
    unit: Unit
    window: int | None
    direction: Direction
    baseline: float | None
    target: float
    value: float | None
    expected: float | None
    status: Status
    starts_on: date
    ends_on: date
    state: ObjectiveState
    outcome: Outcome | None


class SeriesPoint(BaseModel):
    day: date
    value: float | None
    expected: float | None
    population: int | None = Field(description="How many people; none under the privacy floor")


class BreakdownCell(BaseModel):
    group_id: str
    group_name: str
    value: float | None
    population: int | None = Field(description="None when under the privacy floor")
    suppressed: bool = False
    note: str | None = None


class Lever(BaseModel):
    """What to act on to move an objective: a notice still awaiting acknowledgements, a
    question nobody answered yet."""

    post_id: str
    title: str
    kind: str = Field(pattern=r"^(notice_pending|question_unanswered)$")
    pending: int | None = Field(
        default=None, description="People of the scope yet to acknowledge (a notice)"
    )


class ObjectiveSeries(BaseModel):
    objective_id: str
    unit: Unit
    target: float
    status: Status
    status_rule: str
    points: list[SeriesPoint]
    breakdown_by: str | None = None
    breakdown: list[BreakdownCell] = Field(default_factory=list)
    levers: list[Lever] = Field(default_factory=list)


class Collected(BaseModel):
    """One kind of data indicators are computed from: what, why, for how long, and whether
    it names a person."""

    what: str
    why: str
    kept: str
    names_a_person: bool
    shown_per_person: bool
