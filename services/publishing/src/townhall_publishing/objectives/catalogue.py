"""The catalogue of metrics: each defined once, its formula beside its description.

A metric is measured over a `Window` (the period, the population it is about, the space
if the objective is a space's) from a `Source` of facts; the formulas are pure, so that
each is checked on hand-made facts (tests/objectives/test_catalogue.py) and the SQL stays
in the repository. `docs/indicators.md` describes the same catalogue for readers.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from townhall_contracts.publishing.objectives import Direction, MetricDefinition, MetricKey, Unit

# Indicators are aggregates: no value over fewer people than this, whatever the settings.
MIN_PRIVACY_FLOOR = 5


@dataclass(frozen=True)
class Window:
    """What a value is about: [start, end), these people, one space or every space."""

    start: datetime
    end: datetime
    population: frozenset[str]
    space_id: str | None = None


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


Formula = Callable[[Source, Window, int], Measure]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _hours(delay: timedelta) -> float:
    return max(delay.total_seconds(), 0.0) / 3600


def _acknowledgements(source: Source, window: Window) -> tuple[int, list[timedelta]]:
    """(people the window's notices were meant for, how long each acknowledgement took)."""
    notices = source.notices(window, acknowledged_only=True)
    acks = source.acknowledgements([n.id for n in notices])
    expected = 0
    delays: list[timedelta] = []
    for notice in notices:
        meant_for = notice.audience & window.population
        expected += len(meant_for)
        delays += [
            at - notice.published_at
            for user, at in acks.get(notice.id, {}).items()
            if at < window.end and user in meant_for
        ]
    return expected, delays


def acknowledgement_rate(source: Source, window: Window, days: int) -> Measure:
    expected, delays = _acknowledgements(source, window)
    within = timedelta(days=days)
    done = sum(1 for delay in delays if delay <= within)
    return Measure(_share(done, expected), len(window.population))


def acknowledgement_median_hours(source: Source, window: Window, days: int) -> Measure:
    _, delays = _acknowledgements(source, window)
    median = statistics.median(_hours(delay) for delay in delays) if delays else None
    return Measure(median, len(window.population))


def official_reach(source: Source, window: Window, days: int) -> Measure:
    notices = source.notices(window, acknowledged_only=False)
    views = source.views([n.id for n in notices])
    audience = opened = 0
    for notice in notices:
        meant_for = notice.audience & window.population
        audience += len(meant_for)
        opened += sum(
            1
            for user, at in views.get(notice.id, {}).items()
            if user in meant_for and at < window.end and at - notice.published_at <= _days(days)
        )
    return Measure(_share(opened, audience), len(window.population))


def _days(days: int) -> timedelta:
    return timedelta(days=days)


def _first_answers(
    source: Source, window: Window, official: bool
) -> tuple[list[Question], dict[str, datetime]]:
    """The window's questions asked by its people, and when each got its first answer
    (by someone other than the asker; an official answer only, if `official`)."""
    questions = [q for q in source.questions(window) if q.author_id in window.population]
    first: dict[str, datetime] = {}
    asker = {q.id: q.author_id for q in questions}
    for reply in source.replies(list(asker)):
        if reply.author_id == asker[reply.post_id] or (official and not reply.official):
            continue
        if reply.at < window.end and (
            reply.post_id not in first or reply.at < first[reply.post_id]
        ):
            first[reply.post_id] = reply.at
    return questions, first


def _answered(official: bool) -> Formula:
    def formula(source: Source, window: Window, hours: int) -> Measure:
        questions, first = _first_answers(source, window, official)
        within = timedelta(hours=hours)
        answered = sum(1 for q in questions if q.id in first and first[q.id] - q.asked_at <= within)
        return Measure(_share(answered, len(questions)), len(window.population))

    return formula


def first_answer_median_hours(source: Source, window: Window, _: int) -> Measure:
    questions, first = _first_answers(source, window, official=False)
    delays = [_hours(first[q.id] - q.asked_at) for q in questions if q.id in first]
    return Measure(statistics.median(delays) if delays else None, len(window.population))


def participation(source: Source, window: Window, _: int) -> Measure:
    active = source.contributors(window) & window.population
    return Measure(_share(len(active), len(window.population)), len(window.population))


def contributors_per_hundred_readers(source: Source, window: Window, _: int) -> Measure:
    readers = (source.readers(window) | source.contributors(window)) & window.population
    active = source.contributors(window) & window.population
    value = 100 * len(active) / len(readers) if readers else None
    return Measure(value, len(window.population))


def new_contributors(source: Source, window: Window, _: int) -> Measure:
    active = source.contributors(window) & window.population
    returning = source.contributed_before(window.start, active)
    return Measure(float(len(active - returning)), len(window.population))


def cross_silo_exchange(source: Source, window: Window, _: int) -> Measure:
    """Comments by the window's people whose post's author is in another department."""
    departments = source.departments()
    pairs = [
        (departments.get(commenter), departments.get(author))
        for commenter, author in source.comment_pairs(window)
        if commenter in window.population and commenter != author
    ]
    known = [(a, b) for a, b in pairs if a is not None and b is not None]
    crossing = sum(1 for a, b in known if a != b)
    return Measure(_share(crossing, len(known)), len(window.population))


def _of_people(
    reports: Iterable[tuple[datetime, datetime | None, str]], people: frozenset[str]
) -> list[tuple[datetime, datetime | None]]:
    return [(created, resolved) for created, resolved, reporter in reports if reporter in people]


def reports(source: Source, window: Window, _: int) -> Measure:
    made = _of_people(source.reports(window), window.population)
    return Measure(float(len(made)), len(window.population))


def report_handling_median_hours(source: Source, window: Window, _: int) -> Measure:
    made = _of_people(source.reports(window), window.population)
    delays = [_hours(done - at) for at, done in made if done is not None and done < window.end]
    return Measure(statistics.median(delays) if delays else None, len(window.population))


@dataclass(frozen=True)
class Metric:
    definition: MetricDefinition
    formula: Formula


def _metric(
    key: MetricKey,
    name: str,
    formula_text: str,
    unit: Unit,
    counts: list[str],
    better: Direction,
    formula: Formula,
    *,
    window: tuple[str, int] | None = None,
) -> Metric:
    return Metric(
        MetricDefinition(
            key=key,
            name=name,
            formula=formula_text,
            unit=unit,
            counts=counts,
            better=better,
            minimum=0.0,
            maximum=1.0 if unit == Unit.SHARE else None,
            window=window[0] if window else None,
            default_window=window[1] if window else None,
            privacy_floor=MIN_PRIVACY_FLOOR,
        ),
        formula,
    )


UP, DOWN = Direction.AT_LEAST, Direction.AT_MOST
_NOTICES = ["official posts asking for acknowledgement", "acknowledgements"]
_QUESTIONS = ["social posts phrased as questions", "comments"]
_CONTRIBUTIONS = ["posts", "comments", "reactions"]

CATALOGUE: dict[MetricKey, Metric] = {
    m.definition.key: m
    for m in (
        _metric(
            MetricKey.ACKNOWLEDGEMENT_RATE,
            "Mandatory notices acknowledged within N days",
            "Σ people of the scope who acknowledged within N days of publication / "
            "Σ people of the scope each notice was meant for, over notices published in the period",
            Unit.SHARE,
            _NOTICES,
            UP,
            acknowledgement_rate,
            window=("days to acknowledge", 5),
        ),
        _metric(
            MetricKey.ACKNOWLEDGEMENT_MEDIAN_HOURS,
            "Median time to acknowledge a mandatory notice",
            "median over acknowledgements by the scope's people of (acknowledged - published)",
            Unit.HOURS,
            _NOTICES,
            DOWN,
            acknowledgement_median_hours,
        ),
        _metric(
            MetricKey.OFFICIAL_REACH,
            "Official reach within N days",
            "Σ people of the scope who opened an official post within N days / "
            "Σ people of the scope it was meant for, over official posts published in the period",
            Unit.SHARE,
            ["official posts", "first views"],
            UP,
            official_reach,
            window=("days to open", 7),
        ),
        _metric(
            MetricKey.QUESTIONS_ANSWERED,
            "Questions answered within N hours",
            "questions (social posts whose title or text ends with '?') asked by the scope's "
            "people in the period with a reply by someone else within N hours / questions",
            Unit.SHARE,
            _QUESTIONS,
            UP,
            _answered(official=False),
            window=("hours to answer", 24),
        ),
        _metric(
            MetricKey.QUESTIONS_ANSWERED_OFFICIALLY,
            "Questions with an official answer within N hours",
            "questions asked by the scope's people in the period with an official answer "
            "within N hours / questions",
            Unit.SHARE,
            _QUESTIONS,
            UP,
            _answered(official=True),
            window=("hours to answer", 48),
        ),
        _metric(
            MetricKey.FIRST_ANSWER_MEDIAN_HOURS,
            "Median time to a question's first answer",
            "median over answered questions of (first reply by someone else - asked)",
            Unit.HOURS,
            _QUESTIONS,
            DOWN,
            first_answer_median_hours,
        ),
        _metric(
            MetricKey.PARTICIPATION,
            "Participation",
            "people of the scope who posted, commented or reacted in the period / people of "
            "the scope",
            Unit.SHARE,
            _CONTRIBUTIONS,
            UP,
            participation,
        ),
        _metric(
            MetricKey.CONTRIBUTORS_PER_HUNDRED_READERS,
            "Contributors per hundred readers",
            "100 x contributors / (people who opened an official post or contributed), "
            "among the scope's people in the period",
            Unit.PER_HUNDRED,
            [*_CONTRIBUTIONS, "first views"],
            UP,
            contributors_per_hundred_readers,
        ),
        _metric(
            MetricKey.NEW_CONTRIBUTORS,
            "New contributors",
            "people of the scope who contributed in the period and never before it",
            Unit.COUNT,
            _CONTRIBUTIONS,
            UP,
            new_contributors,
        ),
        _metric(
            MetricKey.CROSS_SILO_EXCHANGE,
            "Cross-silo exchange",
            "comments by the scope's people on a post whose author is in another department "
            "(directory groups of type department) / comments whose two authors have one",
            Unit.SHARE,
            ["comments", "directory departments"],
            UP,
            cross_silo_exchange,
        ),
        _metric(
            MetricKey.REPORTS,
            "Moderation load",
            "reports made by the scope's people in the period",
            Unit.COUNT,
            ["reports"],
            DOWN,
            reports,
        ),
        _metric(
            MetricKey.REPORT_HANDLING_MEDIAN_HOURS,
            "Median time to handle a report",
            "median over reports made in the period and resolved of (resolved - reported)",
            Unit.HOURS,
            ["reports", "their resolutions"],
            DOWN,
            report_handling_median_hours,
        ),
    )
}


def measure(key: MetricKey, source: Source, window: Window, n: int | None, floor: int) -> Measure:
    """The metric over the window; no value when the window holds fewer people than `floor`."""
    metric = CATALOGUE[key]
    if len(window.population) < max(floor, MIN_PRIVACY_FLOOR):
        return Measure(None, len(window.population))
    parameter = n if n is not None else (metric.definition.default_window or 0)
    return metric.formula(source, window, parameter)
