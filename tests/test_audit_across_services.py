"""The audit trail of a system started as `make run` starts it, tampered with in its database.

Policy runs as a real process with the embedded default's layout (the key under
`keys/`, checkpoints under `audit-checkpoints/`); the attacker writes the policy
database directly, as anyone holding its file or credentials could.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from townhall.launcher import service_command
from townhall_platform.db import make_engine
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_portal.app import create_app as create_portal
from townhall_portal.settings import PortalSettings


def _verify(system: Any) -> dict[str, Any]:
    response = system.as_user("policy", "olivier").get("/v1/audit/verify")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _policy_env(system: Any) -> dict[str, str]:
    env: dict[str, str] = system.services["policy"].env
    return env


def _cli_verify(system: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*service_command("policy"), "audit-verify"],
        env=_policy_env(system),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _decision_once_reloaded(
    policy: Any, decision: dict[str, str], service: dict[str, str]
) -> dict[str, Any]:
    """Policy's decision once it loaded the revision the attacker bumped (it polls)."""
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    while True:
        answer: dict[str, Any] = policy.post("/v1/decisions", json=decision, headers=service).json()
        if answer["allowed"] or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_a_fresh_system_verifies_and_checkpoints_outside_its_database(system: Any) -> None:
    env = _policy_env(system)
    report = _verify(system)
    checkpoint_dir = Path(env["TOWNHALL_POLICY_AUDIT_CHECKPOINT_DIR"])
    key_file = Path(env["TOWNHALL_POLICY_AUDIT_KEY_FILE"])

    assert report["valid"] is True, report["findings"]
    assert report["keyed_from_seq"] == 1
    assert report["checkpoints_checked"] >= 1
    [trail] = [p for p in checkpoint_dir.iterdir() if p.is_dir()]
    latest = json.loads(sorted(trail.glob("*.json"))[-1].read_text())
    assert latest["seq"] == report["latest_checkpoint"]["seq"]
    assert key_file.parent.name == "keys"
    assert key_file.read_text().strip() not in str(report)


@contextmanager
def _forged_grant(system: Any) -> Iterator[str]:
    """A communicator grant for hugo written straight into the policy database."""
    engine = make_engine(_policy_env(system)["TOWNHALL_POLICY_DATABASE_URL"])
    grant_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO grants (id, subject_id, role, domain, valid_from, granted_by, "
                    "granted_at, justification) VALUES (:id, 'hugo', 'communicator', 'org', "
                    ":now, 'paul', :now, 'Looks legitimate')"
                ),
                {"id": grant_id, "now": now},
            )
            # As an attacker would, so that every instance reloads and honours the row.
            connection.execute(text("UPDATE policy_revision SET revision = revision + 1"))
        yield grant_id
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM grants WHERE id = :id"), {"id": grant_id})
            connection.execute(text("UPDATE policy_revision SET revision = revision + 1"))
        engine.dispose()


def _problem(grant_id: str) -> str:
    return (
        f"grant {grant_id} (hugo holds communicator in org) has no grant.created event in "
        "the trail: inserted by hand"
    )


def test_a_grant_inserted_by_hand_is_found_by_verify(system: Any) -> None:
    policy = system.as_user("policy", "olivier")
    decision = {"subject": "hugo", "action": "post.official", "domain": "org"}
    service = {"Authorization": f"Bearer {system.issuer.service_token('publishing')}"}
    with _forged_grant(system) as grant_id:
        allowed = _decision_once_reloaded(policy, decision, service)
        report = _verify(system)
        cli = _cli_verify(system)

    assert allowed["allowed"] is True  # the forged grant works: only the audit can tell
    assert report["valid"] is False
    assert report["findings"] == [
        {
            "kind": "table",
            "problem": _problem(grant_id),
            "seq": None,
            "event_id": None,
            "table": "grants",
            "row": grant_id,
        }
    ]
    assert cli.returncode == 1, cli.stderr
    assert json.loads(cli.stdout)["findings"] == report["findings"]
    assert _verify(system)["valid"] is True
    assert _cli_verify(system).returncode == 0


def test_the_portals_audit_page_lists_what_verify_found(
    system: Any, signing_key_file: Path
) -> None:
    settings = PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        policy_url=system.services["policy"].url,
        publishing_url=system.services["publishing"].url,
        search_url=system.services["search"].url,
    )
    with TestClient(create_portal(settings)) as portal:
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', portal.get("/sign-in").text)
        assert token is not None
        signed_in = portal.post("/sign-in", data={"csrf_token": token[1], "user": "olivier"})
        assert signed_in.status_code in (200, 303), signed_in.text
        intact = portal.get("/compliance/trail", params={"verify": "1"})
        with _forged_grant(system) as grant_id:
            broken = portal.get("/compliance/trail", params={"verify": "1"})

    assert intact.status_code == 200
    assert "The audit trail is intact." in intact.text
    assert broken.status_code == 200
    assert "The audit trail is broken" in broken.text
    assert f"<li>{html.escape(_problem(grant_id))}</li>" in broken.text
