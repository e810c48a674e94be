"""Objectives: an objective's dashboard and the daily rollup, on generated activity.

`python -m bench objectives [--employees N] [--days D]` writes D days of activity by N
employees over three sites and five departments into a throwaway SQLite database
(mandatory notices every third day with their acknowledgements and first views,
questions with answers, comments, reactions), then measures in process, with policy
answered by an in-memory directory (policy's own cost is not measured here):

- the dashboard: an objective's value today, its series over the period and its
  breakdown by site, with the finished days read from the kept daily values and today's
  value and each breakdown cell from the kept daily counts (plus the raw rows of the
  days not settled yet);
- the same computed straight from the raw tables (nothing kept), as a ratio;
- the daily rollup: keeping yesterday's value and the settled days' counts of every open
  objective.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert
from sqlmodel import Session

from townhall_contracts.policy import GroupSummary, GroupType
from townhall_contracts.readers import ORG, PostState
from townhall_platform.db import make_engine, run_migrations
from townhall_publishing.objectives import measuring
from townhall_publishing.objectives.facts import PolicyFacts
from townhall_publishing.objectives.models import Objective
from townhall_publishing.objectives.presenters import present
from townhall_publishing.objectives.repository import ObjectiveRepository
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


class Directory:
    """Policy's audiences and groups for the generated employees (the gate's interface)."""

    def __init__(self, employees: list[str]) -> None:
        self.members = {
            **{s: employees[n :: len(SITES)] for n, s in enumerate(SITES)},
            **{d: employees[n :: len(DEPARTMENTS)] for n, d in enumerate(DEPARTMENTS)},
        }
        self.everyone = employees

    def audience(self, readers: list[str], *, author: str) -> list[str]:
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


def _activity(session: Session, employees: list[str], days: int, now: datetime) -> int:
    """Write `days` of activity; the number of rows."""
    rng = random.Random(7)
    rows: list[Any] = []
    start = now - timedelta(days=days)
    for day in range(0, days, 3):
        at = start + timedelta(days=day, hours=9)
        notice = Post(
            id=f"notice-{day}", space_id="general", kind="official", title="Consigne",
            body="Texte", author_id="claire", state=PostState.PUBLISHED.value,
            readers=[ORG], requires_ack=True, created_at=at, updated_at=at, published_at=at,
        )  # fmt: skip
        rows.append(notice)
        for e in employees:
            if rng.random() < 0.9:
                seen = at + timedelta(hours=rng.expovariate(1 / 30))
                if seen < now:
                    rows.append(PostView(post_id=notice.id, user_id=e, first_viewed_at=seen))
                    rows.append(Acknowledgement(post_id=notice.id, user_id=e, acknowledged_at=seen))
    for n in range(days * 20):
        at = start + timedelta(minutes=rng.uniform(0, days * 1440))
        author = rng.choice(employees)
        post = Post(
            id=f"social-{n}", space_id="general", kind="social", title="Une question ?",
            body="Texte", author_id=author, state=PostState.PUBLISHED.value, readers=[ORG],
            created_at=at, updated_at=at, published_at=at,
        )  # fmt: skip
        rows.append(post)
        for c in range(rng.randrange(4)):
            moment = at + timedelta(hours=rng.uniform(0.1, 40))
            rows.append(
                Comment(
                    id=f"comment-{n}-{c}",
                    post_id=post.id,
                    author_id=rng.choice(employees),
                    body="Réponse",
                    state=PostState.PUBLISHED.value,
                    readers=[ORG],
                    created_at=moment,
                    updated_at=moment,
                )
            )
        for liker in {rng.choice(employees) for _ in range(rng.randrange(6))}:
            rows.append(Reaction(post_id=post.id, user_id=liker, kind="like", created_at=at))
    space = Space(
        id="general", name="General", kind="community", visibility="public",
        created_by="claire", created_at=start,
    )  # fmt: skip
    session.add(space)
    session.flush()
    # Posts first: the rows that hang on them refer to them. Core inserts in batches: the
    # ORM's unit of work would spend longer writing than the measures take.
    for kind in (Post, PostView, Acknowledgement, Comment, Reaction):
        batch = [row.model_dump() for row in rows if type(row) is kind]
        for start_at in range(0, len(batch), 20_000):
            session.execute(insert(kind), batch[start_at : start_at + 20_000])
    session.commit()
    return len(rows)


def _objective(metric: str, window: int | None, start: date, end: date, now: datetime) -> Objective:
    return Objective(
        id=f"objective-{metric}", name=metric, owner_id="claire", scope_kind="company",
        metric=metric, window=window, target=0.9, direction="at_least", starts_on=start,
        ends_on=end, cadence="weekly", baseline=0.5, baseline_at=now, state="open",
        created_by="claire", created_at=now, updated_at=now,
    )  # fmt: skip


def _dashboard(session: Session, gate: PolicyGate, objective: Objective, now: datetime) -> None:
    facts = PolicyFacts(session, gate)
    present(objective, [], facts, now=now, floor=5)
    measuring.series(
        facts, ObjectiveRepository(session), objective,
        first=objective.starts_on, last=now.date(), now=now, floor=5,
    )  # fmt: skip
    measuring.breakdown(facts, objective, group_type=GroupType.SITE, end=now, floor=5)


@dataclass
class Result:
    employees: int
    days: int
    rows: int
    dashboard_p95_ms: float
    raw_p95_ms: float
    rollup_s: float


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


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
            began = time.perf_counter()
            roll_up(session=session, gate=gate, now=now - timedelta(days=1), floor=5)
            session.commit()
            timed = time.perf_counter()
            roll_up(session=session, gate=gate, now=now, floor=5)
            session.commit()
            rollup = time.perf_counter() - timed
            console.print(f"objectives: first rollup of {days} days {timed - began:.1f} s")
            kept, raw = [], []
            for _ in range(repeats):
                began = time.perf_counter()
                _dashboard(session, gate, objectives[0], now)
                kept.append((time.perf_counter() - began) * 1000)
                session.rollback()
            # Straight from the raw tables: an objective with nothing kept, so its value,
            # each breakdown cell and each day of its series are counted from raw rows.
            for _ in range(raw_repeats):
                probe = _objective(
                    "acknowledgement_rate", 5, start, start + timedelta(days=365), now
                )
                probe.id = "objective-probe"
                began = time.perf_counter()
                _dashboard(session, gate, probe, now)
                raw.append((time.perf_counter() - began) * 1000)
                session.rollback()
        engine.dispose()
    return Result(employees, days, rows, _p95(kept), _p95(raw), rollup)


def report(result: Result) -> None:
    table = Table(
        title=f"Objectives: {result.employees} employees, {result.days} days, "
        f"{result.rows} rows (SQLite, in process)"
    )
    for column in ("measure", "goal", "now", "straight from raw tables", "ratio"):
        table.add_column(column)
    table.add_row(
        "dashboard p95 (value, series, breakdown by site)",
        f"<= {GOAL_DASHBOARD_P95_MS:.0f} ms",
        f"{result.dashboard_p95_ms:.0f} ms",
        f"{result.raw_p95_ms:.0f} ms",
        f"{result.raw_p95_ms / result.dashboard_p95_ms:.1f}x",
    )
    table.add_row(
        "daily rollup (2 objectives, one day)",
        f"<= {GOAL_ROLLUP_S:.0f} s",
        f"{result.rollup_s:.2f} s",
        "",
        "",
    )
    console.print(table)
    console.print("command: uv run --frozen python -m bench objectives --employees N --days D")
