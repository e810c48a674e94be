"""Key figures of a benchmark run, and the before/after table `python -m bench compare` prints.

A figure is one number a benchmark reports (decisions per second, a p95 in milliseconds);
a run writes its figures as JSON, and the comparison takes the median of each over the
rounds of each side. Nothing here imports service code: the table is computed in the
process that drives the comparison, whatever trees it compares.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# The units a figure may have; only rates are better when higher.
RATE = "/s"
MILLISECONDS = "ms"
CPU_MILLISECONDS = "CPU ms/req"


@dataclass(frozen=True)
class Figure:
    """One measured number: which benchmark, what it is, its unit and value."""

    benchmark: str
    name: str
    unit: str
    value: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.benchmark, self.name)

    @property
    def higher_is_better(self) -> bool:
        return self.unit == RATE


def write(path: Path, figures: Iterable[Figure]) -> None:
    """Write figures as a JSON list (what one side's run hands the comparison)."""
    path.write_text(json.dumps([asdict(f) for f in figures], indent=1) + "\n")


def read(path: Path) -> list[Figure]:
    return [Figure(**raw) for raw in json.loads(path.read_text())]


@dataclass(frozen=True)
class Row:
    """One line of the comparison: a figure's values per round on each side."""

    benchmark: str
    name: str
    unit: str
    before: tuple[float, ...]
    after: tuple[float, ...]

    @property
    def before_median(self) -> float | None:
        return statistics.median(self.before) if self.before else None

    @property
    def after_median(self) -> float | None:
        return statistics.median(self.after) if self.after else None

    @property
    def ratio(self) -> float | None:
        """After / before, of the medians; None when a side has no value or before is 0."""
        before, after = self.before_median, self.after_median
        if before is None or after is None or before == 0:
            return None
        return after / before


def rows(before: Sequence[Sequence[Figure]], after: Sequence[Sequence[Figure]]) -> list[Row]:
    """Gather each figure's values over the rounds of each side (a list of figures per
    round), in the order the figures were first reported."""
    order: dict[tuple[str, str], str] = {}
    values: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for side, rounds in enumerate((before, after)):
        for figures in rounds:
            for figure in figures:
                order.setdefault(figure.key, figure.unit)
                values.setdefault(figure.key, ([], []))[side].append(figure.value)
    return [
        Row(key[0], key[1], unit, tuple(values[key][0]), tuple(values[key][1]))
        for key, unit in order.items()
    ]


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(values: tuple[float, ...]) -> str:
    """The median, and the range over the rounds when there are several."""
    if not values:
        return "-"
    median = _number(statistics.median(values))
    if len(values) == 1:
        return median
    return f"{median} ({_number(min(values))}-{_number(max(values))})"


def markdown(table: Sequence[Row], commands: Mapping[str, str], *, before: str, after: str) -> str:
    """The comparison as a Markdown table: one line per figure, with the command that
    reproduces it (`commands`, by the figure's benchmark up to its first comma:
    "publishing, sqlite, 1 worker" is reproduced by the command of "publishing")."""
    lines = [
        f"| benchmark | before ({before}) | after ({after}) | after / before | command |",
        "|---|---:|---:|---:|---|",
    ]
    for row in table:
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append(
            f"| {row.benchmark}: {row.name} ({row.unit}) | {_cell(row.before)} | "
            f"{_cell(row.after)} | {ratio} | `{commands.get(row.benchmark.split(',')[0], '')}` |"
        )
    rounds = max((max(len(r.before), len(r.after)) for r in table), default=0)
    lines += [
        "",
        f"Medians of {rounds} round(s) per side, the range over the rounds in parentheses; "
        f"rounds alternate between the sides. A ratio above 1 is better for {RATE}, "
        f"worse for {MILLISECONDS} and {CPU_MILLISECONDS}.",
    ]
    return "\n".join(lines) + "\n"
