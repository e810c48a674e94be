"""casbin is the reference model of the tests and the bench: the service never imports it."""

from __future__ import annotations

import subprocess
import sys

import pytest

_PROBE = """
import sys
import townhall_policy.app, townhall_policy.cli
from townhall_policy.app import create_app
create_app
print(sorted(m for m in sys.modules if m.split(".")[0] == "casbin"
             or m == "townhall_policy.enforcement.reference"))
"""


@pytest.mark.one_backend
def test_the_running_service_imports_neither_casbin_nor_the_reference() -> None:
    found = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"
