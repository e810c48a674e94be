"""Before and after in one run: `python -m bench compare --before REV [--after REV]`.

One driver, two service trees. The benchmark code is this tree's `bench/` for both sides
(the same load, percentiles and seeding, so only the services differ); each side runs it
with its own tree's interpreter, so the service code it imports (policy's decisions, the
search index) and the service processes it starts (from that interpreter's environment)
are the tree's (modules moved or written since the revision: see bench/aliases.py).
`--before` is checked out under var/bench/ (see bench/trees.py); `--after`
defaults to this working tree as it is on disk.

Rounds alternate between the sides (before then after, then after then before, …), each
benchmark's two runs next to each other, so that the machine's load weighs on both alike;
the table gives each key figure's median over the rounds and the ratio after / before.
Each run's printed tables and key figures are kept under var/bench/runs/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console

from bench import aliases, figures, trees

console = Console()

BENCHMARKS = ("policy", "publishing", "search")
# Both database setups the project supports: the embedded default and production's.
SETUPS = "sqlite:1,postgresql:2"
# The options `compare` passes on, and the benchmark each belongs to.
OVERRIDES = {"docs": "search", "posts": "publishing", "setups": "publishing"}


@dataclass(frozen=True)
class Profile:
    """How long a comparison takes: the rounds and each benchmark's options."""

    rounds: int
    options: dict[str, list[str]]


PROFILES = {
    "full": Profile(
        rounds=3,
        options={
            "policy": ["--decisions-only", "--http-seconds", "8"],
            "publishing": [
                *("--posts", "100000", "--rates", "200", "--step-seconds", "15"),
                *("--freshness", "50", "--setups", SETUPS),
            ],
            "search": [
                *("--docs", "200000", "--queries", "400"),
                *("--engines", "tantivy", "--opensearch-docs", "0"),
            ],
        },
    ),
    # About ten minutes on 2 quiet cores (forty at a load average of 15): smaller data,
    # shorter steps, a lower open-loop rate.
    "quick": Profile(
        rounds=2,
        options={
            "policy": [
                *("--users", "2000", "--spaces", "200", "--memberships", "20000"),
                *("--decisions-only", "--http-seconds", "4", "--rate", "500"),
            ],
            "publishing": [
                *("--posts", "5000", "--rates", "200", "--step-seconds", "5"),
                *("--freshness", "10", "--setups", SETUPS),
            ],
            "search": [
                *("--docs", "50000", "--queries", "200"),
                *("--engines", "tantivy", "--opensearch-docs", "0"),
            ],
        },
    ),
}


def _options(args: argparse.Namespace) -> dict[str, list[str]]:
    """The profile's options of each benchmark, with the command line's overrides last
    (argparse keeps the last value of an option given twice)."""
    options = {name: list(values) for name, values in PROFILES[args.profile].options.items()}
    for name, benchmark in OVERRIDES.items():
        if getattr(args, name) is not None:
            options[benchmark] += [f"--{name}", str(getattr(args, name))]
    return options


def command(args: argparse.Namespace, benchmark: str) -> str:
    """The command that reproduces one benchmark's lines of the table."""
    parts = ["uv run --frozen python -m bench compare --before", args.before]
    if args.after:
        parts += ["--after", args.after]
    if args.profile == "quick":
        parts.append("--quick")
    if args.rounds is not None:
        parts += ["--rounds", str(args.rounds)]
    for name, owner in OVERRIDES.items():
        if owner == benchmark and getattr(args, name) is not None:
            parts += [f"--{name}", str(getattr(args, name))]
    return " ".join([*parts, benchmark])


def run_once(
    tree: trees.Tree, benchmark: str, options: list[str], out: Path
) -> list[figures.Figure]:
    """One benchmark on one tree: this tree's driver, the tree's interpreter and services.

    The driver's directory is the working directory, so `bench` is this tree's; the
    tree's `.venv/bin` comes first on PATH, as `uv run` in that tree would put it; the
    modules moved since the tree's revision are found under their old names (and those
    written since, in the driver's sources: see bench/aliases.py).
    """
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["PATH"] = f"{tree.python.parent}{os.pathsep}{env.get('PATH', '')}"
    if tree.root != trees.DRIVER_ROOT:
        env[aliases.ENVIRONMENT] = json.dumps(tree.renamed)
    log, result = out.with_suffix(".log"), out.with_suffix(".json")
    argv = [str(tree.python), "-m", "bench", benchmark, *options, "--json", str(result)]
    started = time.monotonic()
    with console.status(f"{benchmark} on {tree}"), log.open("w") as output:
        output.write(" ".join(argv) + "\n\n")
        output.flush()
        completed = subprocess.run(
            argv, cwd=trees.DRIVER_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    took = time.monotonic() - started
    if completed.returncode != 0 or not result.exists():
        console.print(f"[red]{benchmark} on {tree} failed after {took:.0f} s: see {log}[/red]")
        return []
    measured = figures.read(result)
    console.print(f"{benchmark} on {tree}: {len(measured)} figures in {took:.0f} s ({log.name})")
    return measured


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Checked by `main`, not `choices`: Python 3.11 refuses an empty list against them.
    parser.add_argument("only", nargs="*", help=f"among {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--before", required=True, help="git revision measured as before")
    parser.add_argument(
        "--after", default=None, help="git revision measured as after (default: this working tree)"
    )
    parser.add_argument("--rounds", type=int, default=None, help="runs per side (quick 2, full 3)")
    parser.add_argument(
        "--quick",
        dest="profile",
        action="store_const",
        const="quick",
        default="full",
        help="smaller data and shorter steps: about ten minutes on 2 cores",
    )
    parser.add_argument("--docs", type=int, default=None, help="search: documents in the corpus")
    parser.add_argument("--posts", type=int, default=None, help="publishing: posts seeded")
    parser.add_argument("--setups", default=None, help=f"publishing: setups (default {SETUPS})")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    return parser


def main(argv: list[str]) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if unknown := set(args.only) - set(BENCHMARKS):
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}")
    with console.status("preparing the trees (git worktree, uv sync)"):
        before = trees.checkout(args.before, "before")
        after = trees.checkout(args.after, "after") if args.after else trees.working_tree()
    rounds = args.rounds or PROFILES[args.profile].rounds
    selected = [name for name in BENCHMARKS if name in args.only] or list(BENCHMARKS)
    options = _options(args)
    runs = trees.DRIVER_ROOT / "var" / "bench" / "runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
    runs.mkdir(parents=True)
    console.print(f"comparing {before} and {after}: {rounds} round(s) of {', '.join(selected)}")
    measured: dict[str, list[list[figures.Figure]]] = {"before": [], "after": []}
    failed: list[str] = []
    for n in range(rounds):
        # ABBA: a drift of the machine's load during the run favours neither side.
        order = (before, after) if n % 2 == 0 else (after, before)
        for tree in order:
            measured[tree.side].append([])
        for benchmark in selected:
            for tree in order:
                out = runs / f"{n + 1}-{benchmark}-{tree.side}"
                found = run_once(tree, benchmark, options[benchmark], out)
                measured[tree.side][n] += found
                failed += [] if found else [f"{out.name}.log"]
    table = figures.markdown(
        figures.rows(measured["before"], measured["after"]),
        {name: command(args, name) for name in selected},
        before=before.revision,
        after=after.revision,
    )
    if failed:
        table += f"\nRuns that failed (left out; their logs under {runs}): {', '.join(failed)}.\n"
    console.print(table, markup=False, highlight=False, soft_wrap=True)
    console.print(f"each run's tables and figures: {runs}")
    if args.markdown is not None:
        args.markdown.write_text(table)
