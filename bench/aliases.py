"""Modules the benchmark driver imports under the names they have in another tree.

`python -m bench compare` runs this tree's benchmarks against an older tree's services;
where a module was moved since (git saw the file renamed), the driver imports it by its
new name, and this finder hands it the module of the old name. Only names that no
installed module answers reach it (it is the last finder on `sys.meta_path`).
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
from pathlib import PurePosixPath

ENVIRONMENT = "TOWNHALL_BENCH_RENAMED_MODULES"


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

    def __init__(self, renamed: dict[str, str]) -> None:
        self.renamed = renamed
        self.packages = {
            new.rsplit(".", i)[0] for new in renamed for i in range(1, new.count(".") + 1)
        }

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
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        old = self.renamed.get(spec.name)
        return importlib.import_module(old) if old is not None else None

    def exec_module(self, module: types.ModuleType) -> None:
        """The old module ran when it was imported; an empty package has nothing to run."""


def install_from_environment() -> None:
    """Install the finder when `compare` passed renamed modules to this run."""
    renamed = os.environ.get(ENVIRONMENT)
    if renamed:
        sys.meta_path.append(RenamedModules(json.loads(renamed)))
