"""Two policy processes counting one caller's type-ahead in the same Redis (127.0.0.1:6379):
the limit holds across both, whichever instance a request reaches."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall.launcher import ServiceSpec, service_environment
from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import free_port

from .conftest import ServiceProcess

pytestmark = [pytest.mark.integration, pytest.mark.one_backend]

LIMIT = 5


@pytest.fixture(scope="module")
def instances(
    tmp_path_factory: pytest.TempPathFactory, signing_key_file: Path
) -> Iterator[list[ServiceProcess]]:
    state = tmp_path_factory.mktemp("ratelimit-instances")
    database = f"sqlite:///{state / 'policy.db'}"
    started: list[ServiceProcess] = []
    try:
        for index in range(2):
            spec = ServiceSpec("policy", free_port())
            base = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
            env = service_environment(spec, state, base)
            env.update(
                {
                    "TOWNHALL_POLICY_ENVIRONMENT": "test",
                    "TOWNHALL_POLICY_SIGNING_KEY_FILE": str(signing_key_file),
                    "TOWNHALL_POLICY_DATABASE_URL": database,
                    "TOWNHALL_POLICY_REDIS_URL": "redis://127.0.0.1:6379/0",
                    "TOWNHALL_POLICY_RATE_LIMIT_TYPEAHEAD_PER_MINUTE": str(LIMIT),
                }
            )
            process = ServiceProcess(spec, env, state / f"policy-{index}.log")
            if index == 0:
                process.run("migrate")
            process.start()
            started.append(process)
        yield started
    finally:
        for process in started:
            process.stop()


def test_one_callers_type_ahead_is_limited_across_both_instances(
    instances: Any, token_issuer: TokenIssuer
) -> None:
    # A caller of this run only: counters of earlier runs in the same minute do not count.
    caller = f"visitor-{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {token_issuer.user_token(caller)}"}
    answers = [
        httpx.get(
            f"{instances[i % 2].url}/v1/directory/people",
            params={"prefix": "al"},
            headers=headers,
            timeout=10.0,
        )
        for i in range(2 * LIMIT)
    ]
    # Not in the directory (403) until the shared budget is spent, then 429 from both.
    assert [a.status_code for a in answers] == [403] * LIMIT + [429] * LIMIT
    assert {a.json()["limited_by"] for a in answers[LIMIT:]} == {"user"}
    assert all(1 <= int(a.headers["retry-after"]) <= 60 for a in answers[LIMIT:])
