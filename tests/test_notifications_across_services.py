"""Notifications against the real policy service: audiences, revocations, the inbox.

Policy and notifications run as processes over HTTP on loopback; events are handed to
notifications' `POST /v1/events` as publishing's relay would.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from townhall.launcher import ServiceSpec, service_environment
from townhall_contracts.events import Event, EventType
from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import free_port

from .conftest import ServiceProcess

# Seeding policy and starting two services is most of this module's time: on a loaded
# machine it takes longer than the suite's default limit for one test, setup included.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def services(
    tmp_path_factory: pytest.TempPathFactory, signing_key_file: Path
) -> Iterator[dict[str, ServiceProcess]]:
    state = tmp_path_factory.mktemp("notify-system")
    specs = {n: ServiceSpec(n, free_port()) for n in ("policy", "notifications")}
    processes: dict[str, ServiceProcess] = {}
    for name, spec in specs.items():
        base = {k: v for k, v in os.environ.items() if not k.startswith("TOWNHALL_")}
        env = service_environment(spec, state, base)
        prefix = spec.env_prefix
        env |= {
            prefix + "ENVIRONMENT": "test",
            prefix + "SIGNING_KEY_FILE": str(signing_key_file),
            prefix + "POLICY_URL": specs["policy"].url,
            prefix + "POLICY_CACHE_SECONDS": "0",
            # A sink of its own, off the default port.
            prefix + "SMTP_PORT": str(free_port()),
        }
        processes[name] = ServiceProcess(spec, env, state / f"{name}.log")
    processes["policy"].run("migrate")
    processes["policy"].run("seed")
    processes["notifications"].run("migrate")
    try:
        for process in processes.values():
            process.start()
        yield processes
    finally:
        for process in processes.values():
            process.stop()


def _send(services: dict[str, ServiceProcess], issuer: TokenIssuer, *events: Event) -> Any:
    answer = httpx.post(
        f"{services['notifications'].url}/v1/events",
        json={"events": [e.model_dump(mode="json") for e in events]},
        headers={"Authorization": f"Bearer {issuer.service_token('publishing')}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _inbox(services: dict[str, ServiceProcess], issuer: TokenIssuer, user: str) -> Any:
    answer = httpx.get(
        f"{services['notifications'].url}/v1/inbox",
        headers={"Authorization": f"Bearer {issuer.user_token(user)}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _published(post_id: str, space_id: str, **data: Any) -> Event:
    body = {
        "post_id": post_id,
        "space_id": space_id,
        "kind": "official",
        "author_id": "claire",
        "title": post_id,
        "summary": "s",
    } | data
    return Event(
        id=next(_ids) + 10_000,
        type=EventType.POST_PUBLISHED,
        occurred_at=datetime.now(UTC),
        data=body,
    )


def test_policy_resolves_the_audience_of_an_official_post(
    services: dict[str, ServiceProcess], token_issuer: TokenIssuer
) -> None:
    everyone = _send(
        services, token_issuer, _published("all", "general", requires_acknowledgement=True)
    )
    narrowed = _send(
        services, token_issuer, _published("hr-only", "general", audience_groups=["hr"])
    )
    restricted = _send(
        services, token_issuer, _published("secret", "hr-confidential", author_id="emma")
    )

    assert everyone["notifications"] >= 10
    alice = [i["post_id"] for i in _inbox(services, token_issuer, "alice")["items"]]
    chloe = [i["post_id"] for i in _inbox(services, token_issuer, "chloe")["items"]]
    zoe = [i["post_id"] for i in _inbox(services, token_issuer, "zoe")["items"]]
    assert alice == ["all"]
    assert chloe == ["secret", "hr-only", "all"]
    assert zoe == []  # a contractor reads no public space
    # The author of the restricted post is told of it; chloe is its only other reader.
    assert restricted["notifications"] == 2
    assert narrowed["notifications"] == 3  # chloe, emma and the author
