"""Service tokens by the OAuth 2.0 client-credentials grant, across real processes.

Policy is the issuer (its own key and `iss`, published at `/.well-known/jwks.json`); search
and publishing fetch their tokens from it, and every service verifies them by that JWKS.
Tokens live 6 s, so each service refreshes several times while the module runs.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall.launcher import service_command
from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import EVENTUALLY_SECONDS, STARTUP_WAIT_SECONDS, free_port
from townhall_policy.oauth.service import secret_digest

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]

SECRETS = {
    "search": "search-secret-for-the-integration-test-0001",
    "publishing": "publishing-secret-for-the-integration-test-02",
}
ISSUER = "townhall-policy-it"
JWKS = "{policy_url}/.well-known/jwks.json"


def client_env(name: str) -> dict[str, str]:
    prefix = f"TOWNHALL_{name.upper()}_"
    return {
        prefix + "TOKEN_URL": "{policy_url}/oauth/token",
        prefix + "CLIENT_SECRET": SECRETS[name],
        prefix + "TOKEN_REFRESH_MARGIN_SECONDS": "60",
        prefix + "SERVICE_TOKEN_ISSUER": ISSUER,
        prefix + "SERVICE_JWKS_URL": JWKS,
    }


@pytest.fixture(scope="module")
def system(
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    signing_key_file: Path,
    token_issuer: TokenIssuer,
    start_system: Any,
) -> Iterator[Any]:
    state = tmp_path_factory.mktemp("oauth-system")
    clients = {name: secret_digest(secret) for name, secret in SECRETS.items()}
    env = {
        "policy": {
            "TOWNHALL_POLICY_OAUTH_CLIENTS": json.dumps(clients),
            "TOWNHALL_POLICY_OAUTH_TOKEN_SECONDS": "6",
            "TOWNHALL_POLICY_OAUTH_SIGNING_KEY_FILE": str(state / "issuer-key.pem"),
            "TOWNHALL_POLICY_OAUTH_ISSUER": ISSUER,
        },
        "search": {**client_env("search"), "TOWNHALL_SEARCH_PRINCIPALS_CACHE_SECONDS": "0"},
        "publishing": client_env("publishing"),
    }
    with start_system(backend, state, signing_key_file, token_issuer, service_env=env) as running:
        yield running


def issued_to(system: Any, client: str) -> int:
    """How many tokens policy has issued to `client`, from its log."""
    log = system.services["policy"].log_path.read_text(errors="replace")
    return sum(
        1
        for line in log.splitlines()
        if "oauth_token_issued" in line and f"client_id={client}" in line
    )


def test_services_call_each_other_with_tokens_from_policy(system: Any) -> None:
    assert issued_to(system, "search") >= 1 and issued_to(system, "publishing") >= 1
    # Search asks policy for the caller's principals with its token on every query.
    assert "hits" in system.search("alice", q="cantine")
    spaces = system.as_user("publishing", "alice").get("/v1/spaces")
    assert spaces.status_code == 200, spaces.text


def test_tokens_are_refreshed_before_they_expire(system: Any) -> None:
    before = {name: issued_to(system, name) for name in SECRETS}
    # 6 s tokens are renewed after 3 s: wait (generously) for two more of each, querying
    # all the while; no query may fail on an expired token.
    deadline = time.monotonic() + 4 * EVENTUALLY_SECONDS
    while time.monotonic() < deadline:
        system.search("alice", q="cantine")
        listed = system.as_user("publishing", "alice").get("/v1/spaces")
        assert listed.status_code == 200, listed.text
        if all(issued_to(system, name) >= before[name] + 2 for name in SECRETS):
            break
        time.sleep(0.2)
    assert all(issued_to(system, name) >= before[name] + 2 for name in SECRETS), (
        before,
        {name: issued_to(system, name) for name in SECRETS},
    )


def test_an_instance_whose_issuer_is_unreachable_is_not_ready_and_answers_503(
    system: Any, tmp_path: Path
) -> None:
    search = system.services["search"]
    port = free_port()
    env = {
        **search.env,
        "TOWNHALL_SEARCH_PORT": str(port),
        "TOWNHALL_SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "TOWNHALL_SEARCH_TOKEN_URL": f"http://127.0.0.1:{free_port()}/oauth/token",
    }
    url = f"http://127.0.0.1:{port}"
    with (tmp_path / "search.log").open("ab") as log:
        process = subprocess.Popen(
            [*service_command("search"), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_WAIT_SECONDS
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"{url}/readyz", timeout=2.0)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert ready is not None, f"search did not answer within {STARTUP_WAIT_SECONDS} s"
        assert ready.status_code == 503
        problem = ready.json()
        assert problem["status"] == 503 and problem["checks"]["service-token"] is False
        assert "no service token" in problem["reasons"]["service-token"]
        query = httpx.get(
            f"{url}/v1/search",
            params={"q": "cantine"},
            headers={"Authorization": f"Bearer {system.token('alice')}"},
            timeout=10.0,
        )
        assert query.status_code == 503, query.text
        assert query.headers["content-type"].startswith("application/problem+json")
    finally:
        process.terminate()
        process.wait(15)
