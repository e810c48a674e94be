"""The additive metrics' counts: each is two sums over the window's events, so a day's
counts can be kept once the day has settled and the days' counts add up to the period's.

The catalogue defines these metrics by their counts (`catalogue.py` turns counts into
the value); the medians and the metrics over distinct people are not additive and stay
computed over the whole window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .sources import Counts, Question, Source, Window

CountsFormula = Callable[[Source, Window, int], Counts]


def acknowledgement_delays(source: Source, window: Window) -> tuple[int, list[timedelta]]:
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
            if at < window.cutoff and user in meant_for
        ]
    return expected, delays


def acknowledged(source: Source, window: Window, days: int) -> Counts:
    expected, delays = acknowledgement_delays(source, window)
    within = timedelta(days=days)
    return Counts(sum(1 for delay in delays if delay <= within), expected)


def reached(source: Source, window: Window, days: int) -> Counts:
    notices = source.notices(window, acknowledged_only=False)
    views = source.views([n.id for n in notices])
    audience = opened = 0
    within = timedelta(days=days)
    for notice in notices:
        meant_for = notice.audience & window.population
        audience += len(meant_for)
        opened += sum(
            1
            for user, at in views.get(notice.id, {}).items()
            if user in meant_for and at < window.cutoff and at - notice.published_at <= within
        )
    return Counts(opened, audience)


def first_answers(
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
        if reply.at < window.cutoff and (
            reply.post_id not in first or reply.at < first[reply.post_id]
        ):
            first[reply.post_id] = reply.at
    return questions, first


def answered(official: bool) -> CountsFormula:
    def counts(source: Source, window: Window, hours: int) -> Counts:
        questions, first = first_answers(source, window, official)
        within = timedelta(hours=hours)
        done = sum(1 for q in questions if q.id in first and first[q.id] - q.asked_at <= within)
        return Counts(done, len(questions))

    return counts


def newcomers(source: Source, window: Window, _: int) -> Counts:
    """People who contributed in the window and never before it: over consecutive days,
    each person counts on the day of their first contribution only, so days add up."""
    active = source.contributors(window) & window.population
    returning = source.contributed_before(window.start, active)
    return Counts(len(active - returning))


def crossing(source: Source, window: Window, _: int) -> Counts:
    """Comments by the window's people whose post's author is in another department."""
    departments = source.departments()
    pairs = [
        (departments.get(commenter), departments.get(author))
        for commenter, author in source.comment_pairs(window)
        if commenter in window.population and commenter != author
    ]
    known = [(a, b) for a, b in pairs if a is not None and b is not None]
    return Counts(sum(1 for a, b in known if a != b), len(known))


def reported(source: Source, window: Window, _: int) -> Counts:
    made = [r for _at, _done, r in source.reports(window) if r in window.population]
    return Counts(len(made))
