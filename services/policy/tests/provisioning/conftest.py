"""A real policy process serving SCIM, with one provisioning client (`entra`) and one
ordinary service client (`search`) on its OAuth endpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from townhall_platform.testing import free_port
from townhall_policy.oauth.service import secret_digest

from ..conftest import wait_ready

SCIM_SECRET = "entra-provisioning-secret-for-this-test-only-0123456789"
SERVICE_SECRET = "search-secret-for-this-test-only-0123456789abcdef"


@dataclass(frozen=True)
class ServedPolicy:
    url: str
    database_url: str

    def token(self, client_id: str, secret: str, scope: str | None = None) -> httpx.Response:
        form = {"grant_type": "client_credentials"}
        if scope is not None:
            form["scope"] = scope
        return httpx.post(f"{self.url}/oauth/token", data=form, auth=(client_id, secret))

    def scim_token(self) -> str:
        answer = self.token("entra", SCIM_SECRET, "scim")
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


@pytest.fixture(scope="module")
def served(
    seeded_url: str, signing_key_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServedPolicy]:
    port = free_port()
    directory = tmp_path_factory.mktemp("scim")
    log_file = directory / "policy.log"
    env = {
        **os.environ,
        "TOWNHALL_POLICY_ENVIRONMENT": "test",
        "TOWNHALL_POLICY_PORT": str(port),
        "TOWNHALL_POLICY_DATABASE_URL": seeded_url,
        "TOWNHALL_POLICY_SIGNING_KEY_FILE": str(signing_key_file),
        "TOWNHALL_POLICY_LOG_LEVEL": "WARNING",
        "TOWNHALL_POLICY_OAUTH_CLIENTS": json.dumps(
            {"entra": secret_digest(SCIM_SECRET), "search": secret_digest(SERVICE_SECRET)}
        ),
        "TOWNHALL_POLICY_OAUTH_SCIM_CLIENTS": '["entra"]',
        "TOWNHALL_POLICY_OAUTH_SIGNING_KEY_FILE": str(directory / "oauth.pem"),
        "TOWNHALL_POLICY_OAUTH_ISSUER": "townhall-policy-scim-test",
        "TOWNHALL_POLICY_RATE_LIMITS_ENABLED": "false",
    }
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from townhall_policy.cli import main; main()", "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url, process, log_file)
            yield ServedPolicy(url=url, database_url=seeded_url)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
