"""docker-compose.yml cannot run here (no Docker engine): check what can be checked."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {
    "portal": 8100,
    "policy": 8101,
    "publishing": 8102,
    "search": 8103,
    "notifications": 8104,
}
# Services with a relational database of their own.
WITH_DATABASE = ("policy", "publishing", "notifications")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_compose_has_the_backing_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["opensearch"]["image"].startswith("opensearchproject/opensearch:")
    for name in ("postgres", "opensearch"):
        assert services[name]["healthcheck"]["test"]
    init = services["postgres"]["volumes"][1].split(":")[0]
    sql = (ROOT / init).read_text()
    for database in WITH_DATABASE:
        assert f"CREATE DATABASE {database}" in sql


@pytest.mark.parametrize(("name", "port"), SERVICES.items())
def test_every_service_has_image_port_healthcheck_and_settings(
    compose: dict[str, Any], name: str, port: int
) -> None:
    service = compose["services"][name]
    build = service["build"]
    assert (ROOT / build["dockerfile"]).exists()
    assert build["args"]["SERVICE"] == name
    assert service["image"] == f"townhall/{name}:latest"
    assert service["ports"] == [f"{port}:{port}"]
    assert f"127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])
    env = {k: str(v) for k, v in service["environment"].items()}
    assert env[f"TOWNHALL_{name.upper()}_PORT"] == str(port)
    if name in WITH_DATABASE:
        assert env[f"TOWNHALL_{name.upper()}_DATABASE_URL"].startswith("postgresql://")
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    # Every variable names a real setting of that service, and they load.
    settings_module = importlib.import_module(f"townhall_{name}.settings")
    settings_class = next(
        getattr(settings_module, attr)
        for attr in dir(settings_module)
        if attr.lower() == f"{name}settings"
    )
    prefix = f"TOWNHALL_{name.upper()}_"
    fields = set(settings_class.model_fields)
    for key in env:
        assert key.startswith(prefix), key
        assert key.removeprefix(prefix).lower() in fields, key
    saved = dict(os.environ)
    try:
        os.environ.update(env)
        settings = settings_class()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert settings.port == port
    if name in WITH_DATABASE:
        assert settings.database_url.startswith("postgresql://")
    elif name == "search":
        # In containers search uses the OpenSearch cluster, not an embedded index.
        assert settings.backend == "opensearch"
        assert settings.opensearch_url == "http://opensearch:9200"
        assert service["depends_on"]["opensearch"]["condition"] == "service_healthy"


def test_dockerfile_builds_one_service_from_the_lock(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev --package" in dockerfile
    assert "ARG SERVICE" in dockerfile
    assert "USER 10001:10001" in dockerfile
    for copied in ("pyproject.toml", "uv.lock", "libs", "services"):
        assert copied in dockerfile


def test_compose_runs_nats_as_a_three_node_jetstream_cluster(compose: dict[str, Any]) -> None:
    services = compose["services"]
    nodes = [services[f"nats-{n}"] for n in (1, 2, 3)]
    assert all("-js" in node["command"] and "--cluster_name" in node["command"] for node in nodes)
    for name in ("publishing", "search"):
        env = services[name]["environment"]
        prefix = f"TOWNHALL_{name.upper()}_"
        assert env[prefix + "NATS_URL"].count("nats://") == 3
        assert env[prefix + "NATS_STREAM_REPLICAS"] == "3"
