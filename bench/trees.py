"""The source trees a comparison measures: a git revision checked out beside the working tree.

A revision gets a detached worktree under `var/bench/<side>-<sha>` with its own virtual
environment (`uv sync --all-packages --frozen`, the machine's Python 3.11, no Python
downloads), kept for the next comparison. Its services are started from that
environment, so they run that revision's code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.aliases import module_name

# The repository root of the tree this module belongs to: the benchmark driver's.
DRIVER_ROOT = Path(__file__).resolve().parent.parent
WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Tree:
    """A checked-out tree whose services are measured, and how to name it."""

    side: str  # "before" or "after"
    root: Path
    revision: str  # an abbreviated commit, or WORKING_TREE
    # Modules the driver knows by another name than this tree ({driver's name: tree's}).
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def python(self) -> Path:
        """The tree's interpreter: its services and libraries are what it imports."""
        return self.root / ".venv" / "bin" / "python"

    def __str__(self) -> str:
        return f"{self.side} {self.revision}"


def _git(*args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(DRIVER_ROOT), *args], capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def sync_environment(root: Path) -> None:
    """Install the tree's locked dependencies into its own `.venv`."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Set by `uv run` for the driver's environment, not the tree's.
        if key not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    env |= {"UV_PYTHON": "python3.11", "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(
        [*_uv(), "sync", "--all-packages", "--frozen", "--quiet"], cwd=root, env=env, check=True
    )


def checkout(revision: str, side: str) -> Tree:
    """The tree of `revision` under var/bench/, created and installed on first use."""
    sha = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    short = sha[:12]
    root = DRIVER_ROOT / "var" / "bench" / f"{side}-{short}"
    if not (root / ".git").exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        _git("worktree", "add", "--detach", str(root), sha)
    sync_environment(root)
    return Tree(side, root, short, renamed_modules(sha))


def renamed_modules(sha: str) -> dict[str, str]:
    """Modules whose file git sees renamed between `sha` and the driver's working tree."""
    renamed = {}
    status = _git("diff", "-M", "--name-status", "--diff-filter=R", sha, "--", "*.py")
    for line in status.splitlines():
        _, old_path, new_path = line.split("\t")
        old, new = module_name(old_path), module_name(new_path)
        if old and new and old != new:
            renamed[new] = old
    return renamed


def working_tree() -> Tree:
    """The driver's own tree, as it is on disk (committed or not), in its environment."""
    tree = Tree("after", DRIVER_ROOT, WORKING_TREE)
    if not tree.python.exists():
        sync_environment(DRIVER_ROOT)
    return tree
