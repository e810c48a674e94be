"""Objectives: an objective's dashboard and the daily rollup, on generated activity.

`python -m bench objectives [--employees N] [--days D]` writes D days of activity by N
employees over three sites and five departments into a throwaway SQLite database
(mandatory notices every third day with their acknowledgements and first views,
questions with answers, comments, reactions), then measures in process, with policy
answered by an in-memory directory (policy's own cost is not measured here):

- the dashboard: an objective's value today, its series over the period, its breakdown
  by site and its levers, with the finished days read from the kept daily values and
  today's value and each breakdown cell from the kept daily counts, the unsettled days'
  provisional counts included (kept less than the live delay ago);
- the same with the unsettled days recounted from the raw rows per cell (no live delay),
  and with the value and cells counted from the raw tables (nothing counted), as ratios;
- the live recount (the unsettled days, every group, as a live read does once per delay);
- the daily rollup: keeping yesterday's value and the settled days' counts of every open
  objective.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, text
from sqlmodel import Session

from townhall_contracts.policy import GroupSummary, GroupType
from townhall_contracts.readers import ORG, PostState
from townhall_platform.db import make_engine, run_migrations
from townhall_publishing.objectives import measuring
from townhall_publishing.objectives.facts import PolicyFacts
from townhall_publishing.objectives.levers import levers
from townhall_publishing.objectives.models import Objective
from townhall_publishing.objectives.presenters import present
from townhall_publishing.objectives.repository import ObjectiveRepository
from townhall_publishing.objectives.rollups import keep_live
from townhall_publishing.objectives.service import roll_up
from townhall_publishing.policy_gate import PolicyGate
from townhall_publishing.posts.models import Acknowledgement, Comment, Post, PostView, Reaction
from townhall_publishing.spaces.models import Space

console = Console()
MIGRATIONS = Path(__file__).parent.parent / "services/publishing/src/townhall_publishing/migrations"
SITES = ("paris", "lyon", "nantes")
DEPARTMENTS = ("communication", "engineering", "sales", "hr", "operations")
GOAL_DASHBOARD_P95_MS = 300.0
GOAL_ROLLUP_S = 30.0
LIVE = timedelta(seconds=60)


class Directory:
    """Policy's audiences and groups for the generated employees (the gate's interface)."""

    def __init__(self, employees: list[str]) -> None:
        self.members = {
            **{s: employees[n :: len(SITES)] for n, s in enumerate(SITES)},
            **{d: employees[n :: len(DEPARTMENTS)] for n, d in enumerate(DEPARTMENTS)},
        }
        self.everyone = employees
        self.answers: dict[tuple[str, ...], list[str]] = {}

    def audience(self, readers: list[str], *, author: str) -> list[str]:
        # Kept as the gate's cache keeps policy's answers at one policy revision.
        key = (*sorted(readers), author)
        if key not in self.answers:
            self.answers[key] = self._expanded(readers, author)
        return self.answers[key]

    def _expanded(self, readers: list[str], author: str) -> list[str]:
        if ORG in readers:
            return [e for e in self.everyone if e != author]
        groups = [r.removeprefix("group:") for r in readers if r.startswith("group:")]
        return sorted({e for g in groups for e in self.members.get(g, [])} - {author})

    def groups(self, group_type: GroupType | None = None) -> list[GroupSummary]:
        kinds = {**{s: "site" for s in SITES}, **{d: "department" for d in DEPARTMENTS}}
        return [
            GroupSummary(id=g, display_name=g.capitalize(), group_type=kind)
            for g, kind in kinds.items()
            if group_type is None or kind == group_type.value
        ]


def _post(post_id: str, kind: str, author: str, at: datetime, requires_ack: bool) -> Any:
    title = "Consigne" if kind == "official" else "Une question ?"
    return Post(
        id=post_id, space_id="general", kind=kind, title=title, body="Texte",
        author_id=author, state=PostState.PUBLISHED.value, readers=[ORG],
        requires_ack=requires_ack, created_at=at, updated_at=at, published_at=at,
    ).model_dump()  # fmt: skip


def _notices(session: Session, employees: list[str], days: int, now: datetime) -> int:
    """A mandatory notice every third day, opened and acknowledged by nine in ten; written
    a notice at a time, as plain rows (50,000 employees over a year make 11 million)."""
    rng = random.Random(7)
    start = now - timedelta(days=days)
    written = 0
    for day in range(0, days, 3):
        at = start + timedelta(days=day, hours=9)
        session.execute(insert(Post), [_post(f"notice-{day}", "official", "claire", at, True)])
        views, acks = [], []
        for e in employees:
            if rng.random() < 0.9:
                seen = at + timedelta(hours=rng.expovariate(1 / 30))
                if seen < now:
                    views.append(
                        {"post_id": f"notice-{day}", "user_id": e, "first_viewed_at": seen}
                    )
                    acks.append({"post_id": f"notice-{day}", "user_id": e, "acknowledged_at": seen})
        session.execute(insert(PostView), views)
        session.execute(insert(Acknowledgement), acks)
        written += 1 + len(views) + len(acks)
    return written


def _activity(session: Session, employees: list[str], days: int, now: datetime) -> int:
    """Write `days` of activity; the number of rows."""
    rng = random.Random(7)
    start = now - timedelta(days=days)
    space = Space(
        id="general", name="General", kind="community", visibility="public",
        created_by="claire", created_at=start,
    )  # fmt: skip
    session.add(space)
    session.flush()
    written = _notices(session, employees, days, now)
    posts: list[Any] = []
    comments: list[Any] = []
    reactions: list[Any] = []
    for n in range(days * max(20, len(employees) // 90)):
        at = start + timedelta(minutes=rng.uniform(0, days * 1440))
        posts.append(_post(f"social-{n}", "social", rng.choice(employees), at, False))
        for c in range(rng.randrange(4)):
            moment = at + timedelta(hours=rng.uniform(0.1, 40))
            comments.append(
                Comment(
                    id=f"comment-{n}-{c}", post_id=f"social-{n}",
                    author_id=rng.choice(employees), body="Réponse",
                    state=PostState.PUBLISHED.value, readers=[ORG],
                    created_at=moment, updated_at=moment,
                ).model_dump()
            )  # fmt: skip
        for liker in {rng.choice(employees) for _ in range(rng.randrange(6))}:
            reactions.append(
                {"post_id": f"social-{n}", "user_id": liker, "kind": "like", "created_at": at}
            )
    # Posts first: the rows that hang on them refer to them. Core inserts in batches: the
    # ORM's unit of work would spend longer writing than the measures take.
    for kind, batch in ((Post, posts), (Comment, comments), (Reaction, reactions)):
        for first in range(0, len(batch), 20_000):
            session.execute(insert(kind), batch[first : first + 20_000])
        written += len(batch)
    session.commit()
    return written


def _objective(metric: str, window: int | None, start: date, end: date, now: datetime) -> Objective:
    return Objective(
        id=f"objective-{metric}", name=metric, owner_id="claire", scope_kind="company",
        metric=metric, window=window, target=0.9, direction="at_least", starts_on=start,
        ends_on=end, cadence="weekly", baseline=0.5, baseline_at=now, state="open",
        created_by="claire", created_at=now, updated_at=now,
    )  # fmt: skip


def _dashboard(
    session: Session, gate: PolicyGate, objective: Objective, now: datetime, live: float
) -> None:
    """What the objective's page asks: its value, its series, its breakdown by site and
    what moves it, as the API's handlers compose them."""
    facts = PolicyFacts(session, gate, live_for=timedelta(seconds=live))
    repository = ObjectiveRepository(session)
    present(objective, [], facts, now=now, floor=5)
    keep_live(facts, repository, objective, now=now, floor=5)
    measuring.series(
        facts, repository, objective, first=objective.starts_on, last=now.date(), now=now, floor=5
    )
    measuring.breakdown(facts, objective, group_type=GroupType.SITE, end=now, floor=5)
    levers(facts, objective, now=now)


@dataclass
class Result:
    employees: int
    days: int
    rows: int
    dashboard_p95_ms: float
    dashboard_p50_ms: float
    recount_p95_ms: float
    raw_p95_ms: float
    live_recount_s: float
    rollup_s: float
    load: str


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _timed(repeats: int, step: Callable[[], None], session: Session) -> list[float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        step()
        samples.append((time.perf_counter() - began) * 1000)
        session.rollback()
    return samples


def _probe(session: Session, kept: Objective, now: datetime) -> Objective:
    """An objective like `kept` with its finished days' values but none of its counts:
    its value and breakdown are counted from the raw rows."""
    probe = _objective(kept.metric, kept.window, kept.starts_on, kept.ends_on, now)
    probe.id = "objective-probe"
    session.add(probe)
    session.flush()
    session.execute(
        text(
            "INSERT INTO objective_points (objective_id, day, value, population, computed_at) "
            "SELECT :probe, day, value, population, computed_at FROM objective_points "
            "WHERE objective_id = :kept"
        ),
        {"probe": probe.id, "kept": kept.id},
    )
    session.commit()
    return probe


def _rollups(session: Session, gate: PolicyGate, now: datetime) -> float:
    """Catch up on every past day (not measured), then the daily rollup of one day."""
    began = time.perf_counter()
    roll_up(session=session, gate=gate, now=now - timedelta(days=1), floor=5)
    session.commit()
    console.print(f"objectives: catching up {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    roll_up(session=session, gate=gate, now=now, floor=5)
    session.commit()
    return time.perf_counter() - began


def run(*, employees: int, days: int, repeats: int = 10, raw_repeats: int = 3) -> Result:
    now = datetime.now(UTC)
    people = [f"e{n:06d}" for n in range(employees)]
    gate = cast(PolicyGate, Directory(people))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/objectives.db"
        run_migrations(url, MIGRATIONS)
        engine = make_engine(url)
        with Session(engine) as session:
            console.print(f"objectives: writing {days} days of activity by {employees} employees")
            rows = _activity(session, people, days, now)
            start = (now - timedelta(days=days)).date()
            objectives = [
                _objective("acknowledgement_rate", 5, start, start + timedelta(days=365), now),
                _objective("participation", None, start, start + timedelta(days=365), now),
            ]
            session.add_all(objectives)
            session.commit()
            rollup = _rollups(session, gate, now)
            kept = objectives[0]
            began = time.perf_counter()
            keep_live(PolicyFacts(session, gate, live_for=LIVE), ObjectiveRepository(session),
                      kept, now=now, floor=5)  # fmt: skip
            session.commit()
            live_recount = time.perf_counter() - began
            live = _timed(repeats, lambda: _dashboard(session, gate, kept, now, 60), session)
            console.print(f"objectives: dashboard samples (ms) {[round(x) for x in live]}")
            recount = _timed(raw_repeats, lambda: _dashboard(session, gate, kept, now, 0), session)
            probe = _probe(session, kept, now)
            raw = _timed(raw_repeats, lambda: _dashboard(session, gate, probe, now, 0), session)
        engine.dispose()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return Result(
        employees, days, rows, _p95(live), statistics.median(live), _p95(recount), _p95(raw),
        live_recount, rollup, load,
    )  # fmt: skip


def report(result: Result) -> None:
    table = Table(
        title=f"Objectives: {result.employees} employees, {result.days} days, "
        f"{result.rows} rows (SQLite, in process; load average {result.load})"
    )
    for column in ("measure", "goal", "now", "ratio"):
        table.add_column(column)
    live = result.dashboard_p95_ms
    table.add_row(
        "dashboard p95 (value, series, breakdown by site, levers), live counts kept",
        f"<= {GOAL_DASHBOARD_P95_MS:.0f} ms",
        f"{live:.0f} ms (p50 {result.dashboard_p50_ms:.0f} ms)",
        "1x",
    )
    table.add_row(
        "same, unsettled days recounted per cell from the raw rows",
        "",
        f"{result.recount_p95_ms:.0f} ms",
        f"{result.recount_p95_ms / live:.1f}x",
    )
    table.add_row(
        "same, value and cells straight from the raw tables",
        "",
        f"{result.raw_p95_ms:.0f} ms",
        f"{result.raw_p95_ms / live:.1f}x",
    )
    table.add_row(
        "live recount (unsettled days, every group, once per live delay)",
        "",
        f"{result.live_recount_s:.2f} s",
        "",
    )
    table.add_row(
        "daily rollup (2 objectives, one day)",
        f"<= {GOAL_ROLLUP_S:.0f} s",
        f"{result.rollup_s:.2f} s",
        "",
    )
    console.print(table)
    console.print("command: uv run --frozen python -m bench objectives --employees N --days D")
