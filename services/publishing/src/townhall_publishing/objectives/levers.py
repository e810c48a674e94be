"""What moves an objective: the notices still awaiting acknowledgements, the questions
nobody answered. Counts only (how many people have yet to acknowledge), never who."""

from __future__ import annotations

from datetime import datetime, timedelta

from townhall_contracts.publishing.objectives import Lever, MetricKey

from .facts import PolicyFacts
from .models import Objective
from .rollups import midnight
from .sources import Window

# The levers shown for one objective, the most pressing first.
MAX_LEVERS = 10
# A notice's acknowledgements move a median this long after it is published (they move a
# rate only within its window of N days).
ACKNOWLEDGEMENT_LEVER_DAYS = 30
_ACKNOWLEDGEMENT = {MetricKey.ACKNOWLEDGEMENT_RATE, MetricKey.ACKNOWLEDGEMENT_MEDIAN_HOURS}
_QUESTIONS = {
    MetricKey.QUESTIONS_ANSWERED,
    MetricKey.QUESTIONS_ANSWERED_OFFICIALLY,
    MetricKey.FIRST_ANSWER_MEDIAN_HOURS,
}


def levers(facts: PolicyFacts, objective: Objective, *, now: datetime) -> list[Lever]:
    metric = MetricKey(objective.metric)
    people = facts.scope_people(objective.scope_kind, objective.scope_id)
    space = objective.scope_id if objective.scope_kind == "space" else None
    window = Window(midnight(objective.starts_on), now, people, space)
    if metric in _ACKNOWLEDGEMENT:
        days = objective.window if metric == MetricKey.ACKNOWLEDGEMENT_RATE else None
        since = now - timedelta(days=days if days is not None else ACKNOWLEDGEMENT_LEVER_DAYS)
        recent = Window(max(window.start, since), now, people, space)
        return _pending_notices(facts, recent, whole_audience=objective.scope_kind != "group")
    if metric in _QUESTIONS:
        return _unanswered(facts, window)
    return []


def _pending_notices(facts: PolicyFacts, window: Window, *, whole_audience: bool) -> list[Lever]:
    """Per notice of the window (those whose acknowledgements still move the objective),
    the people of the scope it is meant for who have not acknowledged it.

    Over a whole audience (a company or space objective) the acknowledgements are counted
    in SQL, since a year of notices to tens of thousands is millions of rows (those by
    people since gone count as done); a group's objective reads who acknowledged."""
    notices = facts.notices(window, acknowledged_only=True)
    if whole_audience:
        done = facts.acknowledgement_counts([n.id for n in notices])
        # Notices to the same readers share one audience: its size is taken once.
        sizes: dict[frozenset[str], int] = {}
        for n in notices:
            if n.audience not in sizes:
                sizes[n.audience] = len(n.audience & window.population)
        pending = {n.id: max(sizes[n.audience] - done.get(n.id, 0), 0) for n in notices}
    else:
        acks = facts.acknowledgements([n.id for n in notices])
        pending = {
            n.id: len((n.audience & window.population) - set(acks.get(n.id, {}))) for n in notices
        }
    ranked = sorted((p for p in pending.items() if p[1] > 0), key=lambda p: -p[1])[:MAX_LEVERS]
    titles = facts.titles([post_id for post_id, _ in ranked])
    return [
        Lever(post_id=post_id, title=titles.get(post_id, ""), kind="notice_pending", pending=count)
        for post_id, count in ranked
    ]


def _unanswered(facts: PolicyFacts, window: Window) -> list[Lever]:
    questions = [q for q in facts.questions(window) if q.author_id in window.population]
    asker = {q.id: q.author_id for q in questions}
    answered = {r.post_id for r in facts.replies(list(asker)) if r.author_id != asker[r.post_id]}
    waiting = sorted((q for q in questions if q.id not in answered), key=lambda q: q.asked_at)
    titles = facts.titles([q.id for q in waiting[:MAX_LEVERS]])
    return [
        Lever(post_id=q.id, title=titles.get(q.id, ""), kind="question_unanswered")
        for q in waiting[:MAX_LEVERS]
    ]
