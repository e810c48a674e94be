"""Fixtures of the policy service's tests: a migrated, seeded database and running apps."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from townhall_platform.auth import TokenIssuer
from townhall_platform.db import make_engine, run_migrations, session_scope
from townhall_platform.testing import STARTUP_WAIT_SECONDS, ManualClock
from townhall_policy.app import create_app
from townhall_policy.migrations import MIGRATIONS_DIR
from townhall_policy.seed import seed_demo
from townhall_policy.settings import PolicySettings

Headers = dict[str, str]


def make_settings(database_url: str, signing_key_file: Path) -> PolicySettings:
    """Settings of a test instance: the test keys, a quick revision poll (the audit key
    and checkpoints: the session's, see `audit_key_file`)."""
    return PolicySettings(
        environment="test",
        database_url=database_url,
        signing_key_file=signing_key_file,
        revision_poll_seconds=0.2,
    )


@pytest.fixture(scope="session", autouse=True)
def audit_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One audit key and checkpoint directory for the session, outside the working tree,
    for apps, bare sessions and spawned processes (each trail files its checkpoints under
    its own id)."""
    directory = tmp_path_factory.mktemp("audit")
    path = directory / "audit-chain.key"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOWNHALL_POLICY_AUDIT_KEY_FILE", str(path))
        patch.setenv("TOWNHALL_POLICY_AUDIT_CHECKPOINT_DIR", str(directory / "checkpoints"))
        yield path


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def seeded_url(database_url: str) -> str:
    """The module's database, migrated and seeded with the demo directory."""
    run_migrations(database_url, MIGRATIONS_DIR)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            seed_demo(session)
    finally:
        engine.dispose()
    return database_url


@pytest.fixture(scope="module")
def settings(seeded_url: str, signing_key_file: Path) -> PolicySettings:
    return make_settings(seeded_url, signing_key_file)


@pytest.fixture(scope="module")
def client(settings: PolicySettings) -> Iterator[TestClient]:
    """A running policy app (lifespan started: policy loaded, revision watched)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def as_user(token_issuer: TokenIssuer) -> Callable[[str], Headers]:
    """Headers carrying a user token for the given subject."""
    return lambda subject: bearer(token_issuer.user_token(subject))


@pytest.fixture(scope="session")
def as_service(token_issuer: TokenIssuer) -> Headers:
    """Headers carrying the publishing service's token."""
    return bearer(token_issuer.service_token("publishing"))


class PolicyApi:
    """Small helpers over a test client, to keep the tests about behaviour."""

    def __init__(
        self, client: TestClient, service: Headers, user: Callable[[str], Headers]
    ) -> None:
        self.client = client
        self.service = service
        self.user = user

    def revision(self) -> int:
        response = self.client.get("/v1/revision", headers=self.service)
        assert response.status_code == 200, response.text
        return int(response.json()["policy_revision"])

    def decide(self, subject: str, action: str, domain: str) -> dict[str, Any]:
        response = self.client.post(
            "/v1/decisions",
            json={"subject": subject, "action": action, "domain": domain},
            headers=self.service,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def grant(
        self, subject: str, role: str, domain: str, *, by: str = "paul", **extra: Any
    ) -> dict[str, Any]:
        response = self.client.post(
            "/v1/grants",
            json={
                "subject": subject,
                "role": role,
                "domain": domain,
                "justification": f"Test grant of {role} to {subject}",
                **extra,
            },
            headers=self.user(by),
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def revoke(self, grant_id: str, *, by: str = "paul") -> dict[str, Any]:
        response = self.client.request(
            "DELETE",
            f"/v1/grants/{grant_id}",
            json={"justification": "Test revocation"},
            headers=self.user(by),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def api(client: TestClient, as_service: Headers, as_user: Callable[[str], Headers]) -> PolicyApi:
    return PolicyApi(client, as_service, as_user)


@pytest.fixture
def clocked_api(
    settings: PolicySettings, as_service: Headers, as_user: Callable[[str], Headers]
) -> Iterator[tuple[PolicyApi, ManualClock]]:
    """An instance on the module's database that decides at a time the test moves.

    Grants and suspensions bounded in time start and end when the test says, not after
    a sleep that a busy machine can outlast.
    """
    clock = ManualClock()
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield PolicyApi(test_client, as_service, as_user), clock


def wait_ready(url: str, process: subprocess.Popen[bytes], log_file: Path) -> None:
    """Until the policy process answers 200 on /readyz; fail with its log if it exits or
    STARTUP_WAIT_SECONDS pass."""
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(
                f"policy did not answer 200 on {url}/readyz within "
                f"{STARTUP_WAIT_SECONDS:.0f} s: {log_file.read_text()!r}"
            )
        time.sleep(0.1)
