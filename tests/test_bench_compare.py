"""`python -m bench compare`: the medians, ratios and table, and the renamed-module finder.

No benchmark runs here: the numbers are made up, the modules are written to a tmp dir.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import compare, figures
from bench.aliases import RenamedModules, module_name
from bench.figures import MILLISECONDS, RATE, Figure

pytestmark = pytest.mark.one_backend


def _round(decisions: float, p95: float | None = None) -> list[Figure]:
    found = [Figure("policy", "decisions", RATE, decisions)]
    if p95 is not None:
        found.append(Figure("publishing, sqlite, 1 worker", "p95", MILLISECONDS, p95))
    return found


def test_rows_take_each_sides_median_over_the_rounds_and_divide_after_by_before() -> None:
    before = [_round(1000, 10), _round(3000, 30), _round(2000, 20)]
    after = [_round(1500, 12), _round(2500, 8), _round(2100, 10)]

    decisions, p95 = figures.rows(before, after)

    assert (decisions.before_median, decisions.after_median) == (2000, 2100)
    assert decisions.ratio == pytest.approx(1.05)
    assert (p95.benchmark, p95.unit) == ("publishing, sqlite, 1 worker", MILLISECONDS)
    assert p95.ratio == pytest.approx(0.5)


def test_a_figure_missing_on_one_side_has_no_ratio() -> None:
    (row,) = [r for r in figures.rows([_round(1000, 10)], [_round(900)]) if r.name == "p95"]

    assert row.after == ()
    assert row.ratio is None


def test_the_markdown_table_has_a_line_per_figure_with_its_command() -> None:
    table = figures.rows([_round(1000, 10), _round(3000, 30)], [_round(2000, 9), _round(2000, 11)])
    commands = {"policy": "bench compare policy", "publishing": "bench compare publishing"}

    text = figures.markdown(table, commands, before="ea303f2", after="working tree")

    lines = text.splitlines()
    assert lines[0] == (
        "| benchmark | before (ea303f2) | after (working tree) | after / before | command |"
    )
    assert lines[2] == (
        "| policy: decisions (/s) | 2,000 (1,000-3,000) | 2,000 (2,000-2,000) | 1.00 "
        "| `bench compare policy` |"
    )
    assert lines[3] == (
        "| publishing, sqlite, 1 worker: p95 (ms) | 20.0 (10.0-30.0) | 10.0 (9.00-11.0) | 0.50 "
        "| `bench compare publishing` |"
    )
    assert "Medians of 2 round(s) per side" in text


def test_figures_survive_the_json_between_the_runs_and_the_comparison(tmp_path: Path) -> None:
    measured = _round(1234.5, 6.7)

    figures.write(tmp_path / "figures.json", measured)

    assert figures.read(tmp_path / "figures.json") == measured


def test_the_command_of_a_line_repeats_the_options_that_concern_its_benchmark() -> None:
    args = compare._parser().parse_args(["--before", "ea303f2", "--quick", "--docs", "5000"])

    assert compare.command(args, "search") == (
        "uv run --frozen python -m bench compare --before ea303f2 --quick --docs 5000 search"
    )
    assert compare.command(args, "policy") == (
        "uv run --frozen python -m bench compare --before ea303f2 --quick policy"
    )
    assert "--docs" in compare._options(args)["search"]
    assert isinstance(args, argparse.Namespace)


def test_module_names_come_from_paths_under_src() -> None:
    assert module_name("services/policy/src/townhall_policy/audit/queries.py") == (
        "townhall_policy.audit.queries"
    )
    assert module_name("libs/platform/src/townhall_platform/workers/__init__.py") == (
        "townhall_platform.workers"
    )
    assert module_name("bench/policy_bench.py") is None


@pytest.fixture
def old_package(tmp_path: Path) -> Iterator[Path]:
    package = tmp_path / "benchold"
    (package / "audit").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "audit" / "__init__.py").write_text("")
    (package / "audit" / "queries.py").write_text("def who_can() -> str:\n    return 'old'\n")
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("benchold")]:
        del sys.modules[name]


def test_a_moved_module_is_imported_by_its_new_name(old_package: Path) -> None:
    finder = RenamedModules({"benchold.compliance.queries": "benchold.audit.queries"})
    sys.meta_path.append(finder)
    try:
        moved = importlib.import_module("benchold.compliance.queries")
    finally:
        sys.meta_path.remove(finder)

    assert moved.who_can() == "old"
    assert moved is sys.modules["benchold.audit.queries"]


def test_a_module_the_tree_lacks_comes_from_the_drivers_sources(
    old_package: Path, tmp_path: Path
) -> None:
    driver = tmp_path / "driver" / "src"
    (driver / "benchold" / "audit").mkdir(parents=True)
    (driver / "benchold" / "audit" / "reference.py").write_text("ORIGIN = 'driver'\n")
    finder = RenamedModules({}, [driver])
    sys.meta_path.append(finder)
    try:
        written_since = importlib.import_module("benchold.audit.reference")
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module("benchold.nowhere")
    finally:
        sys.meta_path.remove(finder)

    assert written_since.ORIGIN == "driver"
    assert importlib.import_module("benchold.audit.queries").who_can() == "old"
