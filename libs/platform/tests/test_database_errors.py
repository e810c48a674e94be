"""A database that stops answering: 503 problem+json, one log line, the connection kept.

The app is served by a real uvicorn in a thread (the connection handling under test is
uvicorn's), and a client speaks HTTP/1.1 over one raw socket so that "the next request
on the same keep-alive connection" is exactly that.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from structlog.testing import capture_logs

from townhall_platform.app import create_app
from townhall_platform.db import make_engine
from townhall_platform.settings import ServiceSettings
from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port

router = APIRouter()


@router.get("/rows")
def rows(request: Request) -> dict[str, int]:
    engine: Engine = request.app.state.engine
    with engine.connect() as connection:
        return {"one": int(connection.execute(text("SELECT 1")).scalar_one())}


@router.get("/crash")
def crash() -> dict[str, str]:
    raise RuntimeError("a bug, not the client's fault")


class _ThreadedServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test runner owns the signals
        pass


@dataclass
class Served:
    url_port: int
    database_dir: Path


@pytest.fixture
def served(tmp_path: Path, signing_key_file: Path) -> Iterator[Served]:
    database_dir = tmp_path / "data"
    # No pool: every request opens the file, as a pool does once its connections are cut.
    engine = make_engine(f"sqlite:///{database_dir / 'app.db'}", poolclass=NullPool)
    settings = ServiceSettings(environment="test", signing_key_file=signing_key_file)
    app = create_app(name="demo", settings=settings, routers=[router], readiness={})
    app.state.engine = engine
    port = free_port()
    server = _ThreadedServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(
                f"the test server did not start listening on port {port} "
                f"within {STARTUP_WAIT_SECONDS:.0f} s"
            )
        time.sleep(0.05)
    yield Served(port, database_dir)
    server.should_exit = True
    thread.join(10)
    engine.dispose()


class KeepAlive:
    """HTTP/1.1 requests one after another over a single TCP connection."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers["content-length"])
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the keep-alive connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def _cut(database_dir: Path) -> None:
    """The database can no longer be opened (even by root): its directory is now a file."""
    shutil.rmtree(database_dir)
    database_dir.write_text("not a directory")


def test_a_cut_database_answers_503_logs_one_line_and_keeps_the_connection(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    client = KeepAlive(served.url_port)
    try:
        status, _, body = client.get("/rows")
        assert status == 200, body
        _cut(served.database_dir)
        caplog.clear()
        with caplog.at_level(logging.INFO), capture_logs() as logged:
            status, headers, body = client.get("/rows")
            assert status == 503, body
            assert headers["content-type"] == "application/problem+json"
            problem = json.loads(body)
            assert problem["type"].endswith("/dependency-unavailable")
            assert problem["status"] == 503
            assert "sqlite" not in body.decode().lower()  # no driver internals leak
            # The same connection serves the next request.
            status, _, body = client.get("/healthz")
            assert status == 200, body
        # One line, without a traceback; nothing from the server (uvicorn logs at ERROR).
        assert [entry["event"] for entry in logged] == ["database_unavailable"], logged
        assert "exc_info" not in logged[0]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    finally:
        client.close()


def test_an_unexpected_error_answers_500_once_and_keeps_the_connection(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    client = KeepAlive(served.url_port)
    try:
        with caplog.at_level(logging.INFO), capture_logs() as logged:
            status, _, body = client.get("/crash")
            assert status == 500
            assert json.loads(body)["type"].endswith("/internal-error")
            assert b"a bug" not in body
            status, _, _ = client.get("/healthz")
            assert status == 200
        # One entry with its traceback: the error handler's, and not uvicorn's as well.
        assert [entry["event"] for entry in logged] == ["unhandled_error"], logged
        assert logged[0]["exc_info"]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    finally:
        client.close()
