"""The floor: what a request costs the framework itself, served the way the services are.

Two endpoints, each in its own uvicorn process (uvloop and httptools, one worker, no
access log), as the services run:

- `bare`: FastAPI answering `{"ok": true}` from an async endpoint, with no middleware,
  dependency or database: the least a FastAPI request can cost;
- `sqlite`: a naive synchronous endpoint (FastAPI's thread pool) that opens the SQLite
  file, reads 20 rows and returns them as JSON: what a feed page would cost written
  without any of the service's machinery.

`python -m bench.floor bare|sqlite --port N [--database PATH]` serves one of them; the
publishing benchmark starts both and loads them like the services (`bench/costs.py`).
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

FLOORS = ("bare", "sqlite")
ROWS = 1000


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    return app


def sqlite_app(database: Path) -> FastAPI:
    app = FastAPI()

    @app.get("/posts")
    def posts() -> list[dict[str, Any]]:
        with sqlite3.connect(database) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                "SELECT id, title, body, author, created_at FROM posts ORDER BY id DESC LIMIT 20"
            ).fetchall()
        return [dict(row) for row in rows]

    return app


def create_database(path: Path) -> None:
    """A table of `ROWS` posts for the `sqlite` floor."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS posts "
            "(id INTEGER PRIMARY KEY, title TEXT, body TEXT, author TEXT, created_at TEXT)"
        )
        connection.executemany(
            "INSERT INTO posts (title, body, author, created_at) VALUES (?, ?, ?, ?)",
            [
                (f"Post {n}", "Retour d'expérience sur la mise en production.", "alice", "2026")
                for n in range(ROWS)
            ],
        )


def start(floor: str, port: int, database: Path) -> subprocess.Popen[bytes]:
    """Serve `floor` on `port` in a new process; return once it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.floor", floor, "--port", str(port), "--database", database],
    )
    path = "/ok" if floor == "bare" else "/posts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the {floor} floor exited with {process.returncode}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {floor} floor did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("floor", choices=FLOORS)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", type=Path, default=Path("floor.sqlite3"))
    args = parser.parse_args()
    app = bare_app() if args.floor == "bare" else sqlite_app(args.database)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
