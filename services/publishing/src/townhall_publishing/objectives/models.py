"""The tables of objectives: the goal, its edits, its daily values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, String, Text, true
from sqlmodel import Field

from townhall_platform.db import UTCDateTime

from ..database import PublishingModel


class Objective(PublishingModel, table=True):
    """A target on one metric of the catalogue, over a scope and a period."""

    __tablename__ = "objectives"
    __table_args__ = (Index("ix_objectives_scope", "scope_kind", "scope_id"),)

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    owner_id: str = Field(max_length=128)
    scope_kind: str = Field(max_length=16)
    scope_id: str | None = Field(default=None, max_length=128)
    metric: str = Field(max_length=64)
    window: int | None = None
    target: float
    direction: str = Field(max_length=16)
    starts_on: date = Field(sa_column=Column(Date(), nullable=False))
    ends_on: date = Field(sa_column=Column(Date(), nullable=False))
    cadence: str = Field(max_length=16)
    baseline: float | None = None
    baseline_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    state: str = Field(max_length=16)
    outcome: str | None = Field(default=None, max_length=16)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The day of the owner's last report (sent at the objective's cadence).
    reported_on: date | None = Field(default=None, sa_column=Column(Date()))
    created_by: str = Field(max_length=128)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ObjectiveChange(PublishingModel, table=True):
    """One edit of an objective: each field's value before and after, by whom and why."""

    __tablename__ = "objective_changes"
    __table_args__ = (Index("ix_objective_changes_objective", "objective_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    objective_id: str = Field(
        sa_column=Column(String(36), ForeignKey("objectives.id"), nullable=False)
    )
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    by: str = Field(max_length=128)
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reason: str = Field(sa_column=Column(Text(), nullable=False))


class ObjectivePoint(PublishingModel, table=True):
    """An objective's value at the end of one day (a daily rollup, written once the day is over)."""

    __tablename__ = "objective_points"

    objective_id: str = Field(
        sa_column=Column(String(36), ForeignKey("objectives.id"), primary_key=True)
    )
    day: date = Field(sa_column=Column(Date(), primary_key=True))
    value: float | None = None
    # None when the scope held fewer people than the privacy floor that day.
    population: int | None = None
    computed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# The whole scope's row among a day's counts (the others are one directory group's each).
WHOLE_SCOPE = "*"


class ObjectiveCount(PublishingModel, table=True):
    """An additive metric's counts for one day of an objective (the events of that day,
    as of when they settled), for its whole scope or one directory group within it.

    Written by the daily rollup once the day can no longer change (settled); the days
    still open to late events are kept provisionally, as of `computed_at`, and recounted
    once they are older than the live delay. A day without a usable row is counted from
    the raw tables when read.
    """

    __tablename__ = "objective_counts"

    objective_id: str = Field(
        sa_column=Column(String(36), ForeignKey("objectives.id"), primary_key=True)
    )
    day: date = Field(sa_column=Column(Date(), primary_key=True))
    group_id: str = Field(sa_column=Column(String(128), primary_key=True))
    part: float
    whole: float
    computed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    settled: bool = Field(
        default=True, sa_column=Column(Boolean(), nullable=False, server_default=true())
    )
