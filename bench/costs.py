"""CPU per request of each endpoint, beside the floor and the goals of issue 21.

Run by the publishing benchmark once its scenarios are done, with the services still up:
each request below is sent by the open-loop generator at one fixed rate for the step's
seconds, and each process's CPU time (user + system, from `/proc`) over the step is
divided by the requests sent. CPU time, not latency: it is what a machine busy with other
work changes least. The two floor endpoints (`bench/floor.py`) are loaded the same way,
at the same rate, in the same run.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from townhall_platform.testing import free_port

from . import floor
from .publishing_load import decide_read, floor_bare, floor_rows, search_posts

# Goals of issue 21, milliseconds of CPU per request in the named process.
GOALS: dict[tuple[str, str], float] = {
    ("GET /v1/feed (20 items)", "publishing"): 1.0,
    ("GET /v1/posts/{id}", "publishing"): 0.8,
    ("POST /v1/posts (social)", "publishing"): 1.5,
    ("POST /v1/posts (social)", "policy"): 0.2,
    ("POST /v1/posts (social)", "search"): 0.5,
    ("POST /v1/decisions (read, allowed)", "policy"): 0.25,
}
BARE = "floor: FastAPI {ok: true}"
NAIVE = "floor: naive SQLite, 20 rows"


@dataclass(frozen=True)
class Cost:
    """CPU milliseconds per request of one process for one kind of request."""

    request: str
    process: str
    cpu_ms: float

    @property
    def goal(self) -> float | None:
        return GOALS.get((self.request, self.process))


def floor_costs(run_step: Any) -> list[Cost]:
    """Start both floors, load each with `run_step(make, url, pid) -> cpu ms per request`."""
    costs = []
    with tempfile.TemporaryDirectory(prefix="townhall-bench-floor-") as tmp:
        database = Path(tmp) / "floor.sqlite3"
        floor.create_database(database)
        for name, label, make in (("bare", BARE, floor_bare), ("sqlite", NAIVE, floor_rows)):
            port = free_port()
            process = floor.start(name, port, database)
            try:
                cpu_ms = run_step(make, f"http://127.0.0.1:{port}", process.pid)
            finally:
                process.terminate()
                process.wait(timeout=30)
            costs.append(Cost(label, name, cpu_ms))
    return costs


SERVICE_REQUESTS = (
    ("POST /v1/decisions (read, allowed)", "policy", decide_read),
    ("GET /v1/search (one word)", "search", search_posts),
)


def print_table(costs_by_setup: dict[str, list[Cost]], *, rate: float, console: Console) -> None:
    """One row per (setup, request, process): CPU ms, ratio to each floor, goal."""
    table = Table(
        title=(
            f"CPU per request (process CPU time over the requests sent, open loop at {rate:.0f}/s),"
            " against the floor and the goals of issue 21"
        )
    )
    for column in ("setup", "request", "process", "CPU ms/req", "÷ bare", "÷ naive", "goal", "met"):
        table.add_column(column, justify="left" if column in ("setup", "request") else "right")
    for setup, costs in costs_by_setup.items():
        floors = {c.request: c.cpu_ms for c in costs if c.request in (BARE, NAIVE)}
        bare, naive = floors.get(BARE), floors.get(NAIVE)
        for cost in costs:
            goal = cost.goal
            table.add_row(
                setup,
                cost.request,
                cost.process,
                f"{cost.cpu_ms:.2f}",
                f"{cost.cpu_ms / bare:.1f}x" if bare else "-",
                f"{cost.cpu_ms / naive:.2f}x" if naive else "-",
                f"≤ {goal:.2f}" if goal is not None else "-",
                "-" if goal is None else ("yes" if cost.cpu_ms <= goal else "no"),
            )
    Console(width=max(console.width, 160)).print(table)
