"""JSON log lines carry the request id, from structlog and the standard library alike
(uvicorn's access and error lines, SQLAlchemy, Alembic, opensearch-py), and a 500
names its request id in its answer and in its log line (issue 19)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import structlog
from fastapi import APIRouter
from fastapi.testclient import TestClient

from townhall_platform.app import create_app
from townhall_platform.logs import configure_logging
from townhall_platform.settings import ServiceSettings

router = APIRouter()


@router.get("/boom")
def boom() -> None:
    raise RuntimeError("kaboom-internal")


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def client(signing_key_file: Path) -> TestClient:
    settings = ServiceSettings(environment="test", signing_key_file=signing_key_file, log_json=True)
    app = create_app(name="demo", settings=settings, routers=[router], readiness={})
    return TestClient(app, raise_server_exceptions=False)


def test_a_500_carries_its_request_id_and_its_log_line_the_same(client, capsys) -> None:
    capsys.readouterr()
    response = client.get("/boom", headers={"X-Request-ID": "req-500-abc"})

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500-abc"
    lines = _json_lines(capsys.readouterr().err)
    errors = [line for line in lines if line.get("event") == "unhandled_error"]
    assert errors and errors[0]["request_id"] == "req-500-abc"
    assert "kaboom-internal" in str(errors[0].get("exception"))


def test_standard_library_lines_are_json_with_the_request_id(capsys) -> None:
    configure_logging(service="demo", json=True)
    capsys.readouterr()
    structlog.contextvars.bind_contextvars(request_id="req-std-1")
    try:
        logging.getLogger("uvicorn.access").info('%s - "%s %s"', "127.0.0.1", "GET", "/x")
        logging.getLogger("alembic.runtime.migration").info("Running upgrade")
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    lines = _json_lines(capsys.readouterr().err)

    assert [(line["logger"], line["request_id"], line["service"]) for line in lines] == [
        ("uvicorn.access", "req-std-1", "demo"),
        ("alembic.runtime.migration", "req-std-1", "demo"),
    ]
    assert lines[0]["event"] == '127.0.0.1 - "GET /x"'
    assert lines[0]["level"] == "info"
