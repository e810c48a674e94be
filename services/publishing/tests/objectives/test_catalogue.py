"""Each metric's formula on hand-made facts, and the privacy floor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from townhall_contracts.publishing.objectives import MetricKey
from townhall_publishing.objectives.catalogue import (
    CATALOGUE,
    MIN_PRIVACY_FLOOR,
    Counts,
    Notice,
    Question,
    Reply,
    Window,
    measure,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
PEOPLE = frozenset({"ann", "ben", "cat", "dan", "eve", "fay"})


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@dataclass
class Facts:
    """A `Source` holding exactly what a test gives it."""

    notice_list: list[Notice] = field(default_factory=list)
    acks: dict[str, dict[str, datetime]] = field(default_factory=dict)
    seen: dict[str, dict[str, datetime]] = field(default_factory=dict)
    question_list: list[Question] = field(default_factory=list)
    reply_list: list[Reply] = field(default_factory=list)
    active: set[str] = field(default_factory=set)
    earlier: set[str] = field(default_factory=set)
    viewers: set[str] = field(default_factory=set)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    department: dict[str, str] = field(default_factory=dict)
    report_list: list[tuple[datetime, datetime | None, str]] = field(default_factory=list)
    asked_for_acknowledged_only: list[bool] = field(default_factory=list)
    searched: Counts = field(default_factory=Counts)

    def notices(self, window: Window, *, acknowledged_only: bool) -> list[Notice]:
        self.asked_for_acknowledged_only.append(acknowledged_only)
        return self.notice_list

    def acknowledgements(self, post_ids: list[str]) -> dict[str, dict[str, datetime]]:
        return {p: self.acks.get(p, {}) for p in post_ids}

    def views(self, post_ids: list[str]) -> dict[str, dict[str, datetime]]:
        return {p: self.seen.get(p, {}) for p in post_ids}

    def questions(self, window: Window) -> list[Question]:
        return self.question_list

    def replies(self, post_ids: list[str]) -> list[Reply]:
        return [r for r in self.reply_list if r.post_id in post_ids]

    def contributors(self, window: Window) -> set[str]:
        return self.active

    def readers(self, window: Window) -> set[str]:
        return self.viewers

    def contributed_before(self, when: datetime, people: set[str]) -> set[str]:
        return self.earlier & people

    def comment_pairs(self, window: Window) -> list[tuple[str, str]]:
        return self.pairs

    def departments(self) -> dict[str, str]:
        return self.department

    def reports(self, window: Window) -> list[tuple[datetime, datetime | None, str]]:
        return self.report_list

    def searches(self, window: Window) -> Counts:
        return self.searched


WINDOW = Window(T0 - timedelta(days=1), T0 + timedelta(days=30), PEOPLE)


def value(key: MetricKey, facts: Facts, n: int | None = None, window: Window = WINDOW) -> float:
    measured = measure(key, facts, window, n, MIN_PRIVACY_FLOOR)
    assert measured.value is not None
    return measured.value


def test_acknowledgement_rate_counts_only_the_scope_within_n_days() -> None:
    # Two notices; "out" is in an audience but not in the scope.
    facts = Facts(
        notice_list=[
            Notice("n1", T0, frozenset({"ann", "ben", "cat", "out"})),
            Notice("n2", T0, frozenset({"dan"})),
        ],
        acks={
            "n1": {"ann": hours(1), "ben": hours(24 * 6), "out": hours(1)},
            "n2": {"dan": hours(24 * 5)},
        },
    )
    # Expected 4 (ann, ben, cat, dan); within 5 days: ann and dan (exactly 5 days counts).
    assert value(MetricKey.ACKNOWLEDGEMENT_RATE, facts, 5) == 2 / 4
    assert value(MetricKey.ACKNOWLEDGEMENT_RATE, facts, 7) == 3 / 4
    assert facts.asked_for_acknowledged_only == [True, True]
    # Median over the scope's acknowledgements (1 h, 120 h, 144 h).
    assert value(MetricKey.ACKNOWLEDGEMENT_MEDIAN_HOURS, facts) == 120


def test_acknowledgements_after_the_window_do_not_count_yet() -> None:
    facts = Facts(
        notice_list=[Notice("n1", T0, frozenset({"ann", "ben"}))],
        acks={"n1": {"ann": hours(1), "ben": hours(30)}},
    )
    early = Window(WINDOW.start, hours(2), PEOPLE)
    assert value(MetricKey.ACKNOWLEDGEMENT_RATE, facts, 5, early) == 0.5


def test_official_reach_is_the_share_of_the_audience_that_opened_within_n_days() -> None:
    facts = Facts(
        notice_list=[Notice("n1", T0, frozenset({"ann", "ben", "cat", "dan"}))],
        seen={"n1": {"ann": hours(2), "ben": hours(24 * 8), "zed": hours(1)}},
    )
    assert value(MetricKey.OFFICIAL_REACH, facts, 7) == 1 / 4
    assert facts.asked_for_acknowledged_only == [False]


def test_questions_answered_ignore_the_askers_own_replies() -> None:
    facts = Facts(
        question_list=[
            Question("q1", "ann", T0),
            Question("q2", "ben", T0),
            Question("q3", "x", T0),
        ],
        reply_list=[
            Reply("q1", "ann", hours(1), False),  # the asker: no answer
            Reply("q1", "cat", hours(30), False),
            Reply("q2", "dan", hours(3), False),
            Reply("q2", "eve", hours(40), True),
        ],
    )
    # q3's asker is outside the scope: two questions count.
    assert value(MetricKey.QUESTIONS_ANSWERED, facts, 24) == 1 / 2
    assert value(MetricKey.QUESTIONS_ANSWERED, facts, 48) == 1.0
    assert value(MetricKey.QUESTIONS_ANSWERED_OFFICIALLY, facts, 48) == 1 / 2
    assert value(MetricKey.FIRST_ANSWER_MEDIAN_HOURS, facts) == (30 + 3) / 2


def test_participation_contributors_and_new_contributors() -> None:
    facts = Facts(active={"ann", "ben", "zed"}, earlier={"ann"}, viewers={"cat", "dan"})
    assert value(MetricKey.PARTICIPATION, facts) == 2 / 6
    # Readers: cat, dan, and the two contributors of the scope.
    assert value(MetricKey.CONTRIBUTORS_PER_HUNDRED_READERS, facts) == 100 * 2 / 4
    assert value(MetricKey.NEW_CONTRIBUTORS, facts) == 1


def test_cross_silo_exchange_counts_comments_across_departments() -> None:
    facts = Facts(
        pairs=[("ann", "ben"), ("ann", "cat"), ("ben", "ben"), ("dan", "nobody"), ("zed", "ann")],
        department={"ann": "sales", "ben": "sales", "cat": "hr", "dan": "it", "zed": "it"},
    )
    # Counted: ann->ben (same), ann->cat (across); ben on own post, an unknown department
    # and a commenter outside the scope are left out.
    assert value(MetricKey.CROSS_SILO_EXCHANGE, facts) == 1 / 2


def test_moderation_load_and_time_to_handle() -> None:
    facts = Facts(
        report_list=[
            (T0, hours(2), "ann"),
            (T0, hours(10), "ben"),
            (T0, None, "cat"),
            (T0, hours(1), "x"),
        ]
    )
    assert value(MetricKey.REPORTS, facts) == 3
    assert value(MetricKey.REPORT_HANDLING_MEDIAN_HOURS, facts) == 6


def test_no_data_is_none_not_zero() -> None:
    for key in (
        MetricKey.ACKNOWLEDGEMENT_RATE,
        MetricKey.QUESTIONS_ANSWERED,
        MetricKey.CROSS_SILO_EXCHANGE,
    ):
        assert measure(key, Facts(), WINDOW, None, MIN_PRIVACY_FLOOR).value is None


@pytest.mark.parametrize("key", list(MetricKey))
def test_no_value_is_ever_given_under_the_privacy_floor(key: MetricKey) -> None:
    few = Window(WINDOW.start, WINDOW.end, frozenset({"ann", "ben", "cat", "dan"}))
    facts = Facts(active={"ann"}, report_list=[(T0, hours(1), "ann")])
    # Asking for a lower floor does not lower it.
    assert measure(key, facts, few, None, floor=2).value is None
    assert measure(key, facts, WINDOW, None, floor=7).value is None


def test_every_metric_is_documented() -> None:
    assert set(CATALOGUE) == set(MetricKey)
    for metric in CATALOGUE.values():
        definition = metric.definition
        assert definition.formula and definition.counts and definition.name
        assert definition.privacy_floor >= MIN_PRIVACY_FLOOR
        assert (definition.window is None) == (definition.default_window is None)


def test_search_success_is_opened_searches_over_searches_never_under_the_floor() -> None:
    assert value(MetricKey.SEARCH_SUCCESS, Facts(searched=Counts(3, 12))) == 3 / 12
    few = measure(MetricKey.SEARCH_SUCCESS, Facts(searched=Counts(2, 4)), WINDOW, None, 5)
    assert few.value is None
