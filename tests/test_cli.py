"""The operator command line: `townhall token` and `townhall run`, as a user runs them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import jwt

from townhall_platform.auth import ensure_signing_key
from townhall_platform.testing import STARTUP_WAIT_SECONDS, free_port

TOWNHALL = str(Path(sys.executable).parent / "townhall")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
    env.update(extra)
    return env


def test_token_prints_a_verifiable_token_and_nothing_else(tmp_path: Path) -> None:
    result = subprocess.run(
        [TOWNHALL, "token", "alice", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(),
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    key = ensure_signing_key(tmp_path / "keys" / "dev-signing-key.pem")
    claims = jwt.decode(lines[0], key.public_key(), algorithms=["RS256"], audience="townhall")
    assert claims["sub"] == "alice"
    assert claims["iss"] == "townhall-dev"


def test_token_for_an_unknown_user_fails_without_printing_a_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [TOWNHALL, "token", "mallory", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_clean_env(),
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown demo user" in result.stderr


def _table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _run_until_ready_then_interrupt(state: Path, ports: dict[str, int], nats_port: int) -> str:
    env = _clean_env(
        **{f"TOWNHALL_{n.upper()}_PORT": str(p) for n, p in ports.items()},
        # The machine's own NATS may hold 4222: the run's nats-server takes a free port.
        TOWNHALL_NATS_PORT=str(nats_port),
    )
    # The development SMTP sink of notifications, off its default port too.
    env["TOWNHALL_NOTIFICATIONS_SMTP_PORT"] = str(free_port())
    process = subprocess.Popen(
        [TOWNHALL, "run", "--state-dir", str(state)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # The output is read as it comes, so the test can wait for the banner to print.
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    token = subprocess.run(
        [TOWNHALL, "token", "olivier", "--state-dir", str(state)],
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(),
    ).stdout.strip()
    ready = False
    while time.monotonic() < deadline and process.poll() is None and not ready:
        try:
            ready = all(
                httpx.get(f"http://127.0.0.1:{p}/readyz", timeout=1).status_code == 200
                for p in ports.values()
            )
        except httpx.HTTPError:
            time.sleep(0.3)
    assert ready, "services did not come up"
    # The seeded posts reach search through the relay.
    search = f"http://127.0.0.1:{ports['search']}/v1/search"
    total = 0
    while time.monotonic() < deadline and total < 40:
        response = httpx.get(
            search, params={"q": ""}, headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        total = response.json()["total"] if response.status_code == 200 else 0
        time.sleep(0.3)
    assert total >= 40
    # The banner ends with how to stop; interrupting before it printed would lose it.
    while time.monotonic() < deadline and "Stop with Ctrl-C." not in "".join(lines):
        time.sleep(0.1)
    assert "Stop with Ctrl-C." in "".join(lines), (
        f"the banner did not print within {STARTUP_WAIT_SECONDS:.0f} s:\n{''.join(lines)}"
    )
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    reader.join(timeout=60)
    output = "".join(lines)
    assert process.returncode == 0, output
    for port in ports.values():
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            raise AssertionError(f"port {port} still answers after Ctrl-C")
        except httpx.ConnectError:
            pass
    return output


def test_run_twice_starts_all_and_stops_cleanly_without_duplicating_demo_data(
    tmp_path: Path,
) -> None:
    names = ("portal", "policy", "publishing", "search", "notifications")
    ports = {name: free_port() for name in names}
    nats_port = free_port()
    first = _run_until_ready_then_interrupt(tmp_path, ports, nats_port)
    for port in ports.values():
        assert f"http://127.0.0.1:{port}" in first
    # The banner prints the portal's URL first: it is what people open.
    banner = first[first.index("Townhall portal:") :]
    others = [port for name, port in ports.items() if name != "portal"]
    portal_at = banner.index(f"http://127.0.0.1:{ports['portal']}")
    assert all(portal_at < banner.index(f"http://127.0.0.1:{port}") for port in others), banner
    assert "townhall token" in first
    assert "stopped." in first
    counts = {db: _table_counts(tmp_path / f"{db}.db") for db in ("policy", "publishing")}
    assert any(n >= 40 for n in counts["publishing"].values())

    # NATS ran as a supervised child with its JetStream store under the state directory.
    assert (tmp_path / "nats" / "jetstream").is_dir()
    _run_until_ready_then_interrupt(tmp_path, ports, nats_port)
    again = {db: _table_counts(tmp_path / f"{db}.db") for db in ("policy", "publishing")}
    assert again == counts
