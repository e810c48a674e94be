"""Several instances stay in step; grants start and end on time without a restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from townhall_platform.testing import EVENTUALLY_SECONDS, ManualClock
from townhall_policy.app import create_app
from townhall_policy.settings import PolicySettings

Headers = dict[str, str]


def _wait_for(check: Callable[[], bool], *, within: float) -> float:
    """Seconds until `check()` held; fails past `within`."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not observed within {within} s")


def _allowed(client: TestClient, headers: Headers, subject: str, action: str, domain: str) -> bool:
    response = client.post(
        "/v1/decisions",
        json={"subject": subject, "action": action, "domain": domain},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["allowed"])


def test_a_grant_through_one_instance_is_seen_by_another_without_a_restart(
    api: Any, settings: PolicySettings, signing_key_file: Path, as_service: Headers
) -> None:
    other_settings = settings.model_copy(update={"revision_poll_seconds": 0.5})
    with TestClient(create_app(other_settings)) as other:
        assert _allowed(other, as_service, "david", "approve.official", "space:general") is False

        grant = api.grant("david", "approver", "org")

        _wait_for(
            lambda: _allowed(other, as_service, "david", "approve.official", "space:general"),
            within=EVENTUALLY_SECONDS,
        )
        api.revoke(grant["id"])
        _wait_for(
            lambda: not _allowed(other, as_service, "david", "approve.official", "space:general"),
            within=EVENTUALLY_SECONDS,
        )
        revision = other.get("/v1/revision", headers=as_service).json()["policy_revision"]
        assert revision == api.revision()


def test_a_grant_takes_effect_and_expires_on_time(clocked_api: tuple[Any, ManualClock]) -> None:
    api, clock = clocked_api
    starts = clock.at(3600)
    ends = starts + timedelta(seconds=60)
    api.grant(
        "bob", "spokesperson", "org", valid_from=starts.isoformat(), valid_to=ends.isoformat()
    )
    revision = api.revision()

    assert api.decide("bob", "answer.official", "space:engineering")["allowed"] is False
    clock.now = starts
    assert api.decide("bob", "answer.official", "space:engineering")["allowed"] is True
    clock.now = ends
    decision = api.decide("bob", "answer.official", "space:engineering")
    assert decision["allowed"] is False
    assert decision["reason"]["missing"] == "needs role spokesperson in org"
    assert api.revision() == revision
