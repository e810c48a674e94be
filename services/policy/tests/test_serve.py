"""`townhall-policy serve` as a real process, driven through the typed client of libs/."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from townhall_clients import PolicyClient
from townhall_contracts.policy import Action, DecisionRequest, DomainRegistration, SpaceKind
from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import free_port

from .conftest import wait_ready


@pytest.fixture(scope="module")
def policy_url(
    seeded_url: str, signing_key_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    port = free_port()
    log_file = tmp_path_factory.mktemp("serve") / "policy.log"
    env = {
        **os.environ,
        "TOWNHALL_POLICY_ENVIRONMENT": "test",
        "TOWNHALL_POLICY_PORT": str(port),
        "TOWNHALL_POLICY_DATABASE_URL": seeded_url,
        "TOWNHALL_POLICY_SIGNING_KEY_FILE": str(signing_key_file),
        "TOWNHALL_POLICY_LOG_LEVEL": "WARNING",
    }
    log = log_file.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from townhall_policy.cli import main; main()", "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process, log_file)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_the_typed_client_talks_to_the_served_service(
    policy_url: str, token_issuer: TokenIssuer
) -> None:
    client = PolicyClient(policy_url, token=lambda: token_issuer.service_token("publishing"))
    try:
        allowed = client.decide("claire", "publish.official", "space:general")
        refused = client.decide("alice", "publish.official", "space:general")
        batch = client.decide_batch(
            [DecisionRequest(subject="zoe", action=Action.READ, domain="space:engineering")]
        )
        client.register_domain(
            "space:served",
            DomainRegistration(kind=SpaceKind.COMMUNITY, visibility="public", on_behalf_of="hugo"),
        )
        after_registration = client.decide("hugo", "post.social", "space:served")
        principals = client.principals("zoe")
        revision = client.revision()
    finally:
        client.close()

    assert allowed.allowed and allowed.reason.grant is not None
    assert refused.reason.missing == "needs role communicator in org"
    assert batch.decisions[0].allowed is False
    assert after_registration.allowed is True
    assert principals.principals == ["space:projet-phoenix", "user:zoe"]
    assert revision == principals.policy_revision == after_registration.policy_revision
