"""Differential: every additive metric read from the kept daily counts (plus the raw
rows of the days not settled) equals the same metric computed from the raw rows over
the whole period, for the scope and every directory group, on generated activity."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.policy import GroupSummary, GroupType
from townhall_contracts.publishing.objectives import MetricKey
from townhall_contracts.readers import ORG, PostState, space_principal
from townhall_publishing.moderation.models import Report
from townhall_publishing.objectives.catalogue import CATALOGUE, Window, measure
from townhall_publishing.objectives.facts import PolicyFacts
from townhall_publishing.objectives.live import refresh_live
from townhall_publishing.objectives.models import WHOLE_SCOPE, Objective
from townhall_publishing.objectives.repository import ObjectiveRepository
from townhall_publishing.objectives.rollups import counted_measure, keep_counts, keep_live, midnight
from townhall_publishing.policy_gate import PolicyGate
from townhall_publishing.posts.models import Acknowledgement, Comment, Post, PostView, Reaction
from townhall_publishing.spaces.models import Space

START = date(2026, 3, 2)
DAYS = 14
ADDITIVE = [key for key, metric in CATALOGUE.items() if metric.additive is not None]


class Directory:
    """Policy's audiences and groups for the generated people (the gate's interface)."""

    def __init__(self, people: list[str], space: str) -> None:
        self.space = space
        self.members = {
            "site-a": people[0::2],
            "site-b": people[1::2],
            "dept-x": people[0::3],
            "dept-y": [p for n, p in enumerate(people) if n % 3],
            "team-tiny": people[:3],
        }
        self.kinds = {"site-a": "site", "site-b": "site", "dept-x": "department"}
        self.kinds |= {"dept-y": "department", "team-tiny": "team"}
        self.everyone = people

    def audience(self, readers: list[str], *, author: str) -> list[str]:
        if ORG in readers or space_principal(self.space) in readers:
            return [p for p in self.everyone if p != author]
        groups = [r.removeprefix("group:") for r in readers if r.startswith("group:")]
        return sorted({p for g in groups for p in self.members.get(g, [])} - {author})

    def groups(self, group_type: GroupType | None = None) -> list[GroupSummary]:
        return [
            GroupSummary(id=g, display_name=g, group_type=kind)
            for g, kind in self.kinds.items()
            if group_type is None or kind == group_type.value
        ]


def _activity(session: Session, people: list[str], space: str, tag: str) -> None:
    rng = random.Random(18)
    start = midnight(START)
    session.add(
        Space(id=space, name=space, kind="community", visibility="public", created_by="claire",
              created_at=start)
    )  # fmt: skip
    session.flush()
    posts: list[Any] = []
    rows: list[Any] = []

    def post(n: int, kind: str, at: datetime, title: str, author: str, ack: bool = False) -> Post:
        made = Post(
            id=f"{tag}-{kind[0]}{n}", space_id=space, kind=kind, title=title, body="Texte",
            author_id=author, state=PostState.PUBLISHED.value, readers=[ORG], requires_ack=ack,
            created_at=at, updated_at=at, published_at=at,
        )  # fmt: skip
        posts.append(made)
        return made

    for n in range(DAYS * 2):
        at = start + timedelta(hours=12 * n + rng.uniform(0, 11))
        notice = post(n, "official", at, "Consigne", "claire", ack=n % 2 == 0)
        for p in people:
            if rng.random() < 0.8:
                seen = at + timedelta(hours=rng.expovariate(1 / 60))
                rows.append(PostView(post_id=notice.id, user_id=p, first_viewed_at=seen))
                if notice.requires_ack:
                    rows.append(Acknowledgement(post_id=notice.id, user_id=p, acknowledged_at=seen))
    for n in range(DAYS * 6):
        at = start + timedelta(minutes=rng.uniform(0, DAYS * 1440))
        title = "Une question ?" if n % 2 else "Une nouvelle"
        social = post(n, "social", at, title, rng.choice(people))
        for c in range(rng.randrange(4)):
            moment = at + timedelta(hours=rng.uniform(0.1, 60))
            rows.append(
                Comment(id=f"{tag}-c{n}-{c}", post_id=social.id, author_id=rng.choice(people),
                        body="Réponse", state=PostState.PUBLISHED.value, readers=[ORG],
                        official=rng.random() < 0.3, created_at=moment, updated_at=moment)
            )  # fmt: skip
        for liker in {rng.choice(people) for _ in range(rng.randrange(4))}:
            rows.append(Reaction(post_id=social.id, user_id=liker, kind="like", created_at=at))
        if n % 5 == 0:
            rows.append(
                Report(id=f"{tag}-r{n}", post_id=social.id, space_id=space,
                       reporter_id=rng.choice(people), reason="Hors sujet", created_at=at)
            )  # fmt: skip
    session.add_all(posts)
    session.flush()
    session.add_all(rows)
    session.commit()


def _objective(key: MetricKey, space: str, tag: str) -> Objective:
    now = midnight(START)
    return Objective(
        id=f"{tag}-{key.value}"[:36], name=key.value, owner_id="claire", scope_kind="space",
        scope_id=space, metric=key.value, window=CATALOGUE[key].definition.default_window,
        target=0.9, direction="at_least", starts_on=START, ends_on=START + timedelta(days=90),
        cadence="weekly", baseline=None, baseline_at=now, state="open", created_by="claire",
        created_at=now, updated_at=now,
    )  # fmt: skip


@pytest.fixture
def generated(engine: Engine) -> tuple[Engine, Directory, list[Objective]]:
    tag = uuid.uuid4().hex[:6]
    space = f"rollups-{tag}"
    people = [f"{tag}-p{n:02d}" for n in range(30)]
    objectives = [_objective(key, space, tag) for key in ADDITIVE]
    with Session(engine, expire_on_commit=False) as session:
        _activity(session, people, space, tag)
        session.add_all(objectives)
        session.commit()
        for objective in objectives:
            session.expunge(objective)
    return engine, Directory(people, space), objectives


def _compare(session: Session, gate: PolicyGate, objective: Objective, end: datetime) -> int:
    """Assert counted == raw for the scope and each group; how many values compared."""
    facts = PolicyFacts(session, gate)
    scope = facts.scope_people("space", objective.scope_id)
    cells = [(WHOLE_SCOPE, scope)] + [
        (g.id, facts.people([f"group:{g.id}"]) & scope) for g in facts.groups(GroupType.SITE)
    ]
    cells += [(g.id, facts.people([f"group:{g.id}"])) for g in facts.groups(GroupType.DEPARTMENT)]
    for group_id, people in cells:
        counted = counted_measure(
            facts, objective, people=people, group_id=group_id, end=end, floor=5
        )
        window = Window(midnight(START), end, people, objective.scope_id)
        raw = measure(MetricKey(objective.metric), facts, window, objective.window, 5)
        assert counted.value == pytest.approx(raw.value), (objective.metric, group_id, end)
        assert counted.population == raw.population
    return len(cells)


def test_counts_read_back_equal_the_raw_value_for_every_additive_metric(
    generated: tuple[Engine, Directory, list[Objective]],
) -> None:
    engine, directory, objectives = generated
    gate = cast(PolicyGate, directory)
    compared = 0
    kept_days: dict[str, int] = {}
    # Rollups run at three moments; values are read at and after each (stale rows too).
    for rolled in (4.5, 9.0, DAYS + 0.25):
        moment = midnight(START) + timedelta(days=rolled)
        with Session(engine) as session:
            repository = ObjectiveRepository(session)
            facts = PolicyFacts(session, gate)
            for objective in objectives:
                kept = keep_counts(facts, repository, objective, now=moment, floor=5)
                kept_days[objective.metric] = kept_days.get(objective.metric, 0) + kept
            session.commit()
        with Session(engine) as session:
            for objective in objectives:
                for later in (0.0, 0.4, 2.7):
                    end = moment + timedelta(days=later)
                    compared += _compare(session, gate, objective, end)
    assert compared == len(objectives) * 9 * 5
    # Every metric kept days (so the comparison read counts, not only raw rows).
    assert all(kept_days[key.value] > 0 for key in ADDITIVE), kept_days


def test_a_day_is_counted_once_and_only_once_settled(
    generated: tuple[Engine, Directory, list[Objective]],
) -> None:
    engine, directory, objectives = generated
    gate = cast(PolicyGate, directory)
    acknowledgements = next(o for o in objectives if o.metric == "acknowledgement_rate")
    moment = midnight(START) + timedelta(days=8, hours=1)
    with Session(engine) as session:
        repository = ObjectiveRepository(session)
        facts = PolicyFacts(session, gate)
        # Days settle 5 days (the window) after they end: days 0, 1 and 2 by day 8.
        assert keep_counts(facts, repository, acknowledgements, now=moment, floor=5) == 3
        assert keep_counts(facts, repository, acknowledgements, now=moment, floor=5) == 0
        session.commit()
        kept = repository.counts(acknowledgements.id)
    # The scope and the four groups at or above the floor; the three-person team is not kept.
    assert set(kept) == {WHOLE_SCOPE, "site-a", "site-b", "dept-x", "dept-y"}
    assert sorted(kept[WHOLE_SCOPE]) == [START + timedelta(days=d) for d in range(3)]


def test_live_reads_use_provisional_counts_as_kept_within_the_live_delay(
    generated: tuple[Engine, Directory, list[Objective]],
) -> None:
    """A live read keeps the unsettled days' counts (for every group at once) and equals
    the raw value as of then; within the live delay it reads them as kept, after it it
    recounts; the rollup later settles those days over the provisional rows."""
    engine, directory, objectives = generated
    gate = cast(PolicyGate, directory)
    live = timedelta(minutes=1)
    moment = midnight(START) + timedelta(days=8, hours=1)
    with Session(engine) as session:
        repository = ObjectiveRepository(session)
        for objective in objectives:
            facts = PolicyFacts(session, gate, live_for=live)
            keep_live(facts, repository, objective, now=moment, floor=5)
        session.commit()
        for objective in objectives:
            kept = repository.counts(objective.id)
            days = kept[WHOLE_SCOPE]
            # Every day begun is kept: settled or provisional as of the live read.
            assert sorted(days) == [START + timedelta(days=d) for d in range(9)]
            assert set(kept) == {WHOLE_SCOPE, "site-a", "site-b", "dept-x", "dept-y"}
            provisional = [d for d, row in days.items() if not row.settled]
            assert provisional and all(days[d].as_of == moment for d in provisional)
            # The provisional counts read back equal the raw value at that moment.
            for group_id in (WHOLE_SCOPE, "site-a", "dept-y"):
                people = frozenset(directory.members.get(group_id, directory.everyone))
                counted = counted_measure(
                    PolicyFacts(session, gate, live_for=live), objective,
                    people=people, group_id=group_id, end=moment, floor=5,
                )  # fmt: skip
                window = Window(midnight(START), moment, people, objective.scope_id)
                raw = measure(MetricKey(objective.metric), PolicyFacts(session, gate), window,
                              objective.window, 5)  # fmt: skip
                assert counted.value == pytest.approx(raw.value), (objective.metric, group_id)

        rate = next(o for o in objectives if o.metric == "acknowledgement_rate")
        before = repository.counts(rate.id)[WHOLE_SCOPE]
        # Within the delay nothing is recounted; past it the provisional days are.
        soon = moment + timedelta(seconds=30)
        keep_live(PolicyFacts(session, gate, live_for=live), repository, rate, now=soon, floor=5)
        assert repository.counts(rate.id)[WHOLE_SCOPE] == before
        later = moment + timedelta(minutes=2)
        keep_live(PolicyFacts(session, gate, live_for=live), repository, rate, now=later, floor=5)
        after = repository.counts(rate.id)[WHOLE_SCOPE]
        assert {d: r.as_of for d, r in after.items() if not r.settled} == {
            d: later for d, r in before.items() if not r.settled
        }
        # No live delay: the kept provisional rows are never read, the raw rows are.
        assert _compare(session, gate, rate, later + timedelta(seconds=1)) == 5

        # The daily rollup settles the days whose window has passed, over their rows.
        settle = midnight(START) + timedelta(days=12, hours=1)
        keep_counts(PolicyFacts(session, gate), repository, rate, now=settle, floor=5)
        session.commit()
        settled = repository.counts(rate.id)[WHOLE_SCOPE]
        assert [d for d, r in sorted(settled.items()) if r.settled] == [
            START + timedelta(days=d) for d in range(7)
        ]


def test_the_live_counter_keeps_every_open_objectives_unsettled_days_fresh(
    generated: tuple[Engine, Directory, list[Objective]],
) -> None:
    engine, directory, objectives = generated
    gate = cast(PolicyGate, directory)
    moment = midnight(START) + timedelta(days=8, hours=1)
    fresher = timedelta(seconds=30)
    with Session(engine) as session:
        assert refresh_live(session=session, gate=gate, now=moment, floor=5,
                            fresher_than=fresher) >= len(objectives)  # fmt: skip
        session.commit()
        repository = ObjectiveRepository(session)
        for objective in objectives:
            today = repository.counts(objective.id)[WHOLE_SCOPE][moment.date()]
            assert not today.settled and today.as_of == moment
        # Within the margin nothing is recounted; past it every objective is.
        soon, later = moment + timedelta(seconds=20), moment + timedelta(seconds=40)
        refresh_live(session=session, gate=gate, now=soon, floor=5, fresher_than=fresher)
        refresh_live(session=session, gate=gate, now=later, floor=5, fresher_than=fresher)
        for objective in objectives:
            assert repository.counts(objective.id)[WHOLE_SCOPE][moment.date()].as_of == later
