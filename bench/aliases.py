"""Modules the benchmark driver imports that the tree under test has under another name, or not.

`python -m bench compare` runs this tree's benchmarks against an older tree's services;
where a module was moved since (git saw the file renamed), the driver imports it by its
new name, and this finder hands it the module of the old name. A module the older tree
lacks altogether (written since, such as a helper the benchmark shares with the tests) is
loaded from the driver's own sources, and the run's log says so: the table's figures then
rest on that module too. Only names that no installed module answers reach this finder
(it is the last on `sys.meta_path`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

ENVIRONMENT = "TOWNHALL_BENCH_RENAMED_MODULES"
DRIVER_ROOT = Path(__file__).resolve().parent.parent


def module_name(path: str) -> str | None:
    """`services/policy/src/townhall_policy/audit/queries.py` → `townhall_policy.audit.queries`;
    None for files that are not a module of a package under `src/`."""
    parts = PurePosixPath(path).parts
    if "src" not in parts or not path.endswith(".py"):
        return None
    module = list(parts[parts.index("src") + 1 :])
    module[-1] = module[-1].removesuffix(".py")
    if module[-1] == "__init__":
        module.pop()
    return ".".join(module) or None


class RenamedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports `new` as the module `old` for each pair of `renamed` ({new: old}); a
    package that exists only on the new side is an empty package."""

    def __init__(self, renamed: dict[str, str], sources: Sequence[Path] = ()) -> None:
        self.renamed = renamed
        self.packages = {
            new.rsplit(".", i)[0] for new in renamed for i in range(1, new.count(".") + 1)
        }
        self.sources = sources  # the driver's `src` directories

    def _driver_spec(self, fullname: str) -> importlib.machinery.ModuleSpec | None:
        """The driver's own file of a module the tree under test does not have."""
        relative = Path(*fullname.split("."))
        for source in self.sources:
            package = source / relative / "__init__.py"
            if package.exists():
                found = importlib.util.spec_from_file_location(
                    fullname, package, submodule_search_locations=[str(package.parent)]
                )
            elif (module := source / relative.with_suffix(".py")).exists():
                found = importlib.util.spec_from_file_location(fullname, module)
            else:
                continue
            print(f"bench: {fullname} is not in this tree: loaded from {found and found.origin}")
            return found
        return None

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in self.renamed:
            return importlib.util.spec_from_loader(fullname, self)
        if fullname in self.packages:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return self._driver_spec(fullname)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        old = self.renamed.get(spec.name)
        return importlib.import_module(old) if old is not None else None

    def exec_module(self, module: types.ModuleType) -> None:
        """The old module ran when it was imported; an empty package has nothing to run."""


def install_from_environment() -> None:
    """Install the finder when `compare` runs this driver against another tree."""
    renamed = os.environ.get(ENVIRONMENT)
    if renamed is not None:
        sources = sorted(DRIVER_ROOT.glob("*/*/src"))
        sys.meta_path.append(RenamedModules(json.loads(renamed), sources))
