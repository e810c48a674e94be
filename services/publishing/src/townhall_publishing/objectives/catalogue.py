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

from townhall_contracts.publishing.objectives import Direction, MetricDefinition, MetricKey, Unit

from .additive import (
    CountsFormula,
    acknowledged,
    acknowledgement_delays,
    answered,
    crossing,
    first_answers,
    newcomers,
    reached,
    reported,
)
from .sources import Counts as Counts
from .sources import Measure as Measure
from .sources import Notice as Notice
from .sources import Question as Question
from .sources import Reply as Reply
from .sources import Source as Source
from .sources import Window as Window

# Indicators are aggregates: no value over fewer people than this, whatever the settings.
MIN_PRIVACY_FLOOR = 5


Formula = Callable[[Source, Window, int], Measure]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _hours(delay: timedelta) -> float:
    return max(delay.total_seconds(), 0.0) / 3600


def acknowledgement_median_hours(source: Source, window: Window, days: int) -> Measure:
    _, delays = acknowledgement_delays(source, window)
    median = statistics.median(_hours(delay) for delay in delays) if delays else None
    return Measure(median, len(window.population))


def first_answer_median_hours(source: Source, window: Window, _: int) -> Measure:
    questions, first = first_answers(source, window, official=False)
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


def _of_people(
    reports: Iterable[tuple[datetime, datetime | None, str]], people: frozenset[str]
) -> list[tuple[datetime, datetime | None]]:
    return [(created, resolved) for created, resolved, reporter in reports if reporter in people]


def report_handling_median_hours(source: Source, window: Window, _: int) -> Measure:
    made = _of_people(source.reports(window), window.population)
    delays = [_hours(done - at) for at, done in made if done is not None and done < window.cutoff]
    return Measure(statistics.median(delays) if delays else None, len(window.population))


def search_success(source: Source, window: Window, _: int) -> Measure:
    """Searches carry no person: the value is over the searches, none under the floor of
    searches either, and only company-wide (a scope's people cannot be told apart)."""
    counts = source.searches(window)
    if counts.whole < MIN_PRIVACY_FLOOR:
        return Measure(None, len(window.population))
    return Measure(counts.part / counts.whole, len(window.population))


def from_counts(unit: Unit, counts: Counts) -> float | None:
    """An additive metric's value from its counts: a share, per hundred, or a count."""
    if unit == Unit.COUNT:
        return counts.part
    if not counts.whole:
        return None
    return counts.part / counts.whole * (100 if unit == Unit.PER_HUNDRED else 1)


@dataclass(frozen=True)
class Additive:
    """How an additive metric is counted, and when a day's counts stop changing: the
    window N in days (or hours) after the day, since later events no longer count."""

    counts: CountsFormula
    settles_after: Callable[[int], timedelta]


@dataclass(frozen=True)
class Metric:
    definition: MetricDefinition
    formula: Formula
    additive: Additive | None = None


def _settled_at_once(_: int) -> timedelta:
    return timedelta(0)


def _settled_after_days(days: int) -> timedelta:
    return timedelta(days=days)


def _settled_after_hours(hours: int) -> timedelta:
    return timedelta(hours=hours)


def _metric(
    key: MetricKey,
    name: str,
    formula_text: str,
    unit: Unit,
    counts: list[str],
    better: Direction,
    formula: Formula | Additive,
    *,
    window: tuple[str, int] | None = None,
) -> Metric:
    additive = formula if isinstance(formula, Additive) else None
    if additive is not None:
        formula = _counted(unit, additive.counts)
    assert not isinstance(formula, Additive)
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
        additive,
    )


def _counted(unit: Unit, counts: CountsFormula) -> Formula:
    """The formula of an additive metric: its value from its counts over the window."""

    def formula(source: Source, window: Window, n: int) -> Measure:
        return Measure(from_counts(unit, counts(source, window, n)), len(window.population))

    return formula


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
            Additive(acknowledged, _settled_after_days),
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
            Additive(reached, _settled_after_days),
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
            Additive(answered(official=False), _settled_after_hours),
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
            Additive(answered(official=True), _settled_after_hours),
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
            Additive(newcomers, _settled_at_once),
        ),
        _metric(
            MetricKey.CROSS_SILO_EXCHANGE,
            "Cross-silo exchange",
            "comments by the scope's people on a post whose author is in another department "
            "(directory groups of type department) / comments whose two authors have one",
            Unit.SHARE,
            ["comments", "directory departments"],
            UP,
            Additive(crossing, _settled_at_once),
        ),
        _metric(
            MetricKey.REPORTS,
            "Moderation load",
            "reports made by the scope's people in the period",
            Unit.COUNT,
            ["reports"],
            DOWN,
            Additive(reported, _settled_at_once),
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
        _metric(
            MetricKey.SEARCH_SUCCESS,
            "Search success",
            "searches (a query's first page) in the period followed by opening one of "
            "their results / searches; company-wide only, none under the floor of searches",
            Unit.SHARE,
            ["search queries (without who searched)", "results opened from them"],
            UP,
            search_success,
        ),
    )
}

# Metrics whose events name nobody: measured company-wide only, with no breakdown.
COMPANY_ONLY = frozenset({MetricKey.SEARCH_SUCCESS})


def measure(key: MetricKey, source: Source, window: Window, n: int | None, floor: int) -> Measure:
    """The metric over the window; no value when the window holds fewer people than `floor`."""
    metric = CATALOGUE[key]
    if len(window.population) < max(floor, MIN_PRIVACY_FLOOR):
        return Measure(None, len(window.population))
    parameter = n if n is not None else (metric.definition.default_window or 0)
    return metric.formula(source, window, parameter)
