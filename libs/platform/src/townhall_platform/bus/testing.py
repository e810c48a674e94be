"""A real `nats-server -js` for tests: a free port, a temporary store, stop and start."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from ..testing import STARTUP_WAIT_SECONDS, free_port
from .server import nats_server_command


class NatsServer:
    """`with NatsServer(tmp_path) as nats:` gives `nats.url`; `stop()` and `start()`
    take it away and bring it back on the same port with the same store (what JetStream
    stored survives, as it would across a real restart)."""

    def __init__(self, store_dir: Path, *, extra_args: tuple[str, ...] = ()) -> None:
        self.store_dir = store_dir
        # nats-server options beyond the defaults (`--user`/`--pass`, `--tls…`).
        self.extra_args = extra_args
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = store_dir / "nats-server.log"

    def start(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        command = nats_server_command(host="127.0.0.1", port=self.port, store_dir=self.store_dir)
        command += list(self.extra_args)
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_WAIT_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self._process.returncode}; its log: "
                    f"{self._log.read_text(errors='replace')[-2000:]}"
                )
            if "Server is ready" in self._log.read_text(errors="replace") and _answers(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"nats-server on port {self.port} did not log 'Server is ready' and accept "
            f"connections within {STARTUP_WAIT_SECONDS}s; its log: {self._log}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # The next start waits for its own "ready" line, not this one's.
        self._log.write_bytes(b"")

    def __enter__(self) -> NatsServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False
