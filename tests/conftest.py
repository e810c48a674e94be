"""The three services started as real processes, talking over HTTP on loopback."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall.launcher import ServiceSpec, service_command, service_environment
from townhall_clients import PublishingClient
from townhall_platform.auth import TokenIssuer
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import (
    EVENTUALLY_SECONDS,
    STARTUP_WAIT_SECONDS,
    free_port,
    temporary_postgres_database,
)


class PortTaken(RuntimeError):
    """Another process holds the port a service was given."""


@dataclass
class ServiceProcess:
    """One service process; it can be stopped and started again on the same port."""

    spec: ServiceSpec
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.spec.url

    def run(self, step: str) -> None:
        with self.log_path.open("ab") as log:
            subprocess.run(
                [*service_command(self.spec.name), step],
                env=self.env,
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=STARTUP_WAIT_SECONDS,
            )

    def start(self, timeout: float = STARTUP_WAIT_SECONDS) -> None:
        """Start the service and wait until its /readyz answers 200 (generous: CI may be loaded)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*service_command(self.spec.name), "serve"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        # One plain-HTTP client for the whole wait: a new one per poll loads the CA bundle
        # each time, CPU taken from the service that is starting.
        with httpx.Client(timeout=1.0, verify=False) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    log = self.log_path.read_text()[-4000:]
                    raise RuntimeError(f"{self.spec.name} exited:\n{log}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        self._check_identity()
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(
            f"{self.spec.name} did not answer 200 on {self.url}/readyz within {timeout:.0f} s:\n"
            f"{self.log_path.read_text()[-4000:]}"
        )

    def _check_identity(self) -> None:
        """The service that answered is this process's, not another on a reused port."""
        assert self.process is not None
        try:
            answered = httpx.get(f"{self.url}/healthz", timeout=1.0).json().get("service")
        except (httpx.HTTPError, ValueError, AttributeError):
            answered = None
        # A process that could not bind its port exits soon after starting.
        time.sleep(0.3)
        if answered != self.spec.name or self.process.poll() is not None:
            self.stop()
            raise PortTaken(f"port {self.spec.port} answered as {answered!r}, not {self.spec.name}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass
class System:
    """The running services plus a way to act as any demo user."""

    services: dict[str, ServiceProcess]
    issuer: TokenIssuer
    backend: str
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    # The system's own nats-server (stop and start it to cut the bus).
    nats: Any = None

    def token(self, user: str) -> str:
        return self.issuer.user_token(user)

    def as_user(self, service: str, user: str) -> httpx.Client:
        key = f"{service}:{user}"
        if key not in self.clients:
            self.clients[key] = httpx.Client(
                base_url=self.services[service].url,
                headers={"Authorization": f"Bearer {self.token(user)}"},
                timeout=10.0,
            )
        return self.clients[key]

    @cached_property
    def publishing(self) -> PublishingClient:
        """Publishing's typed client; each call names the user it acts as (`user_token`)."""
        return PublishingClient(
            self.services["publishing"].url, token=_users_only, timeout=10.0, retries=1
        )

    def search(self, user: str, **params: Any) -> dict[str, Any]:
        response = self.as_user("search", user).get("/v1/search", params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_for_search(
        self, user: str, predicate: Any, timeout: float = EVENTUALLY_SECONDS, **params: Any
    ) -> dict[str, Any]:
        """Poll search until `predicate(results)` holds; return the last results."""
        deadline = time.monotonic() + timeout
        results = self.search(user, **params)
        while not predicate(results) and time.monotonic() < deadline:
            time.sleep(0.1)
            results = self.search(user, **params)
        return results

    @contextmanager
    def grants_revoked(self, subject: str, domain: str, justification: str) -> Iterator[None]:
        """`subject`'s active grants in `domain` revoked (as paul) for the block, and granted
        again after it: the module's other tests find the demo directory as seeded."""
        policy = self.as_user("policy", "paul")
        listed = policy.get("/v1/grants", params={"subject": subject, "domain": domain})
        assert listed.status_code == 200, listed.text
        active = [grant for grant in listed.json()["grants"] if grant["active"]]
        assert active, f"{subject} holds no grant in {domain} to revoke"
        for grant in active:
            revoked = policy.request(
                "DELETE", f"/v1/grants/{grant['id']}", json={"justification": justification}
            )
            assert revoked.status_code == 200, revoked.text
        try:
            yield
        finally:
            for grant in active:
                again = policy.post(
                    "/v1/grants",
                    json={
                        "subject": subject,
                        "role": grant["role"],
                        "domain": domain,
                        "justification": "The test is over: granted again",
                    },
                )
                assert again.status_code == 201, again.text

    @contextmanager
    def deactivated(self, subject: str, justification: str) -> Iterator[None]:
        """`subject` deactivated in the directory for the block, active again after it."""
        policy = self.as_user("policy", "paul")
        gone = policy.request(
            "DELETE", f"/v1/directory/subjects/{subject}", json={"justification": justification}
        )
        assert gone.status_code == 200, gone.text
        try:
            yield
        finally:
            back = policy.patch(
                f"/v1/directory/subjects/{subject}",
                json={"active": True, "justification": "The test is over: active again"},
            )
            assert back.status_code == 200, back.text

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        if "publishing" in self.__dict__:
            self.publishing.close()


def _users_only() -> str:
    raise RuntimeError("the tests call publishing as a user: pass user_token")


@pytest.fixture(scope="module")
def system(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
) -> Iterator[System]:
    """Policy, publishing and search as real processes, seeded with the demo data."""
    state = tmp_path_factory.mktemp(f"system-{backend}")
    with running_system(backend, state, signing_key_file, token_issuer) as running:
        yield running


@pytest.fixture(scope="session")
def start_system() -> Callable[..., AbstractContextManager[System]]:
    """`running_system`, for modules that start a system of their own."""
    return running_system


@contextmanager
def running_system(
    backend: str,
    state: Path,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
    *,
    publishing_env: dict[str, str] | None = None,
    service_env: dict[str, dict[str, str]] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[System]:
    """The three services started, seeded and ready; stopped on exit.

    `publishing_env` adds settings to publishing's environment (its worker count, say);
    `service_env` adds settings to any service's, with `{policy_url}` (and the others')
    replaced by that service's URL once its port is chosen; `env` adds variables to every
    service's, `{svc}` in a name standing for its prefix (`TOWNHALL_{svc}OTLP_ENDPOINT`).
    """
    with ExitStack() as stack:
        # The event bus between publishing and search: a real nats-server of the system's own.
        nats = stack.enter_context(NatsServer(state / "nats"))
        databases = {
            name: stack.enter_context(temporary_postgres_database(f"townhall_it_{name}"))
            for name in ("policy", "publishing")
            if backend == "postgresql"
        }
        # A port found free can be taken by another test process before the service binds
        # it; the service then exits and whatever took the port would answer in its place.
        # `start` checks who answers; on a taken port the system starts again on new ones.
        for attempt in range(3):
            services = _service_processes(state, signing_key_file, databases, nats.url)
            services["publishing"].env.update(publishing_env or {})
            for name, extra in (service_env or {}).items():
                services[name].env.update({k: _with_urls(v, services) for k, v in extra.items()})
            for service in services.values():
                prefix = service.spec.env_prefix
                service.env.update({k.format(svc=prefix): v for k, v in (env or {}).items()})
            if attempt == 0:
                for name in ("policy", "publishing", "search"):
                    services[name].run("migrate")
                services["policy"].run("seed")
                services["publishing"].run("seed")
            try:
                for name in ("policy", "search", "publishing"):
                    services[name].start()
            except PortTaken:
                for service in services.values():
                    service.stop()
                continue
            except BaseException:
                for service in services.values():
                    service.stop()
                raise
            break
        else:
            raise RuntimeError("the services found no free ports in three attempts")
        for name in ("policy", "search", "publishing"):
            stack.callback(services[name].stop)
        running = System(services=services, issuer=token_issuer, backend=backend, nats=nats)
        stack.callback(running.close)
        yield running


def _with_urls(value: str, services: dict[str, ServiceProcess]) -> str:
    for name, service in services.items():
        value = value.replace(f"{{{name}_url}}", service.url)
    return value


def _service_processes(
    state: Path, signing_key_file: Path, databases: dict[str, str], nats_url: str
) -> dict[str, ServiceProcess]:
    specs = {name: ServiceSpec(name, free_port()) for name in ("policy", "publishing", "search")}
    urls = {f"{name.upper()}_URL": spec.url for name, spec in specs.items()}
    services: dict[str, ServiceProcess] = {}
    for name, spec in specs.items():
        base = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
        env = service_environment(spec, state, base)
        prefix = spec.env_prefix
        env[prefix + "ENVIRONMENT"] = "test"
        env[prefix + "SIGNING_KEY_FILE"] = str(signing_key_file)
        env[prefix + "NATS_URL"] = nats_url
        for key, url in urls.items():
            env[prefix + key] = url
        if name == "publishing":
            # Publishing confirms policy's revision on every request (its cache still
            # works by revision): a test's change to policy shows on the next request.
            env[prefix + "POLICY_REVISION_CHECK_SECONDS"] = "0"
        if name in databases:
            env[prefix + "DATABASE_URL"] = databases[name]
        services[name] = ServiceProcess(spec, env, state / f"{name}.log")
    return services
