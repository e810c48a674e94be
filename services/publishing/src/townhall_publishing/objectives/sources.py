"""What the catalogue's formulas read and answer: windows, facts, measures and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Window:
    """What a value is about: [start, end), these people, one space or every space.

    Events (acknowledgements, views, replies) count until `as_of` (the end when not
    given): a day of a longer period is measured as [day, day + 1) as of the period's end.
    """

    start: datetime
    end: datetime
    population: frozenset[str]
    space_id: str | None = None
    as_of: datetime | None = None

    @property
    def cutoff(self) -> datetime:
        return self.as_of if self.as_of is not None else self.end


@dataclass(frozen=True)
class Notice:
    """A published official post and the people it is meant for."""

    id: str
    published_at: datetime
    audience: frozenset[str]


@dataclass(frozen=True)
class Question:
    id: str
    author_id: str
    asked_at: datetime


@dataclass(frozen=True)
class Reply:
    post_id: str
    author_id: str
    at: datetime
    official: bool


@dataclass(frozen=True)
class Measure:
    value: float | None
    # The people the value is over (the privacy floor applies to it).
    population: int


@dataclass(frozen=True)
class Counts:
    """An additive metric's two sums: the value is a function of them alone, so the
    counts of consecutive days add up to the counts of the whole span."""

    part: float = 0.0
    whole: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.part + other.part, self.whole + other.whole)


@dataclass(frozen=True)
class KeptCounts:
    """A day's counts as kept: settled for good, or provisional as of `as_of`."""

    counts: Counts
    settled: bool
    as_of: datetime


class Source(Protocol):
    """The facts the formulas read; `objectives/repository.py` answers them with SQL."""

    def notices(self, window: Window, *, acknowledged_only: bool) -> list[Notice]: ...
    def acknowledgements(self, post_ids: list[str]) -> dict[str, dict[str, datetime]]: ...
    def views(self, post_ids: list[str]) -> dict[str, dict[str, datetime]]: ...
    def questions(self, window: Window) -> list[Question]: ...
    def replies(self, post_ids: list[str]) -> list[Reply]: ...
    def contributors(self, window: Window) -> set[str]: ...
    def readers(self, window: Window) -> set[str]: ...
    def contributed_before(self, when: datetime, people: set[str]) -> set[str]: ...
    def comment_pairs(self, window: Window) -> list[tuple[str, str]]: ...
    def departments(self) -> dict[str, str]: ...
    def reports(self, window: Window) -> list[tuple[datetime, datetime | None, str]]: ...
    def searches(self, window: Window) -> Counts: ...
