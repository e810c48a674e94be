"""The house rules a newcomer relies on, checked over the source (docs/architecture.md).

- no import cycle between the packages of a service or library;
- migrations import no live application code (they must keep working as the code changes);
- no source file over 400 lines and no function over 60, unless listed below with its reason;
- test-only packages stay out of the services' runtime dependencies.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The services, the libraries, and the workspace root (the operator CLI, `src/townhall`).
PROJECTS = sorted(
    p for p in [ROOT, *ROOT.glob("services/*"), *ROOT.glob("libs/*")] if (p / "src").is_dir()
)
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60

# Longer on purpose, each with its reason. Paths are relative to the repository.
LONG_FILES: dict[str, str] = {
    "services/publishing/src/townhall_publishing/seed/content.py": (
        "demo content: data, not logic"
    ),
}
LONG_FUNCTIONS: dict[str, str] = {}
# Alembic revisions declare whole tables; their `upgrade` is a list of columns, not logic.
MIGRATIONS = "/migrations/versions/"

# Installed for the tests and benchmarks only.
TEST_ONLY_PACKAGES = {"osmem-server", "pycasbin", "pytest", "hypothesis", "playwright"}


def _package(project: Path) -> Path:
    src = project / "src"
    return next(p for p in sorted(src.iterdir()) if (p / "__init__.py").exists())


def _sources(project: Path) -> Iterator[Path]:
    yield from sorted(_package(project).rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imported_parts(node: ast.AST, module_parts: tuple[str, ...], top: str) -> Iterator[str]:
    """The first component below the package's top of each module `node` imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == top and len(parts) > 1:
                yield parts[1]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = list(module_parts[:-1])
            base = base[: len(base) - (node.level - 1)]
            names = node.module.split(".") if node.module else []
            if names:
                full = base + names
                if full:
                    yield full[0]
            else:
                for alias in node.names:
                    yield base[0] if base else alias.name
        elif node.module and node.module.split(".")[0] == top:
            parts = node.module.split(".")[1:]
            yield from parts[:1] or [alias.name for alias in node.names]


def _package_graph(project: Path) -> dict[str, set[str]]:
    """Edges between the top-level packages (and modules) of a project, migrations aside."""
    top = _package(project)
    edges: dict[str, set[str]] = {}
    for path in _sources(project):
        parts = path.relative_to(top).parts
        if parts[0] == "migrations":
            continue
        me = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            for target in _imported_parts(node, parts, top.name):
                target = target.removesuffix(".py")
                if target != me:
                    edges.setdefault(me, set()).add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.mark.one_backend
@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: "workspace" if p == ROOT else p.name)
def test_no_import_cycle_between_packages(project: Path) -> None:
    edges = _package_graph(project)
    cycles = [
        {name: sorted(edges[name] & set(cycle)) for name in cycle} for cycle in _cycles(edges)
    ]
    assert cycles == [], f"{project.name}: packages importing each other: {cycles}"


@pytest.mark.one_backend
@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: "workspace" if p == ROOT else p.name)
def test_migrations_import_no_application_code(project: Path) -> None:
    """The revisions import no townhall code at all; `env.py` only the platform's
    shared environment (`townhall_platform.migrations_env`), never the service's models."""
    top = _package(project)
    migrations = top / "migrations"
    offenders = []
    for path in sorted([*migrations.glob("env.py"), *(migrations / "versions").glob("*.py")]):
        allowed = {"townhall_platform"} if path.name == "env.py" else set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = ["." if node.level else node.module or ""]
            else:
                continue
            for module in modules:
                root = module.split(".")[0]
                if module == "." or (root.startswith("townhall") and root not in allowed):
                    offenders.append(f"{_relative(path)}:{node.lineno}")
    assert offenders == []


@pytest.mark.one_backend
@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: "workspace" if p == ROOT else p.name)
def test_source_files_and_functions_stay_short(project: Path) -> None:
    long_files, long_functions = [], []
    for path in _sources(project):
        name = _relative(path)
        text = path.read_text()
        if len(text.splitlines()) > MAX_FILE_LINES and name not in LONG_FILES:
            long_files.append(f"{name} ({len(text.splitlines())} lines)")
        if MIGRATIONS in name:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                where = f"{name}::{node.name}"
                if length > MAX_FUNCTION_LINES and where not in LONG_FUNCTIONS:
                    long_functions.append(f"{where} ({length} lines)")
    assert long_files == [] and long_functions == []


@pytest.mark.one_backend
@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: "workspace" if p == ROOT else p.name)
def test_test_only_packages_are_not_runtime_dependencies(project: Path) -> None:
    meta = tomllib.loads((project / "pyproject.toml").read_text())
    runtime = meta["project"].get("dependencies", [])
    names = {dep.split(">")[0].split("=")[0].split("[")[0].strip() for dep in runtime}
    assert names & TEST_ONLY_PACKAGES == set()
