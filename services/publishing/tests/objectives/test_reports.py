"""Each objective's report to its owner at its cadence, as an outbox event, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from townhall_contracts.events import ObjectiveReported
from townhall_publishing.objectives.reports import send_reports

from .test_objectives_api import create

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


def _reports(db: Any, objective_id: str) -> list[ObjectiveReported]:
    rows = db.rows("SELECT data FROM outbox WHERE type = 'objective.reported' ORDER BY id")
    # JSON comes back as text on SQLite, parsed on PostgreSQL.
    found = [
        ObjectiveReported.model_validate_json(r["data"])
        if isinstance(r["data"], str)
        else ObjectiveReported.model_validate(r["data"])
        for r in rows
    ]
    return [r for r in found if r.objective_id == objective_id]


async def test_an_objective_is_reported_to_its_owner_once_per_cadence(
    client: httpx.AsyncClient, auth: Auth, app: Any, engine: Any, db: Any
) -> None:
    weekly = (await create(client, auth, owner_id="marc")).json()
    monthly = (await create(client, auth, cadence="monthly", name="Monthly")).json()
    now = datetime.now(UTC)

    def run(at: datetime) -> None:
        with Session(engine) as session:
            send_reports(session=session, gate=app.state.policy_gate, now=at, floor=5)
            session.commit()

    run(now)  # created today: nothing due yet
    assert _reports(db, weekly["id"]) == []
    run(now + timedelta(days=7))
    run(now + timedelta(days=7, hours=1))  # the same day again: nothing more
    (first,) = _reports(db, weekly["id"])
    assert (first.owner_id, first.name, first.target) == ("marc", weekly["name"], 0.9)
    assert first.unit == "share" and first.day == (now + timedelta(days=7)).date()
    assert first.status in {"on_track", "at_risk", "off_track", "no_data"}
    assert _reports(db, monthly["id"]) == []  # a month is not over
    run(now + timedelta(days=13))
    assert len(_reports(db, weekly["id"])) == 1
    run(now + timedelta(days=14))
    assert len(_reports(db, weekly["id"])) == 2
    run(now + timedelta(days=30))
    assert len(_reports(db, monthly["id"])) == 1


async def test_a_closed_objective_is_not_reported(
    client: httpx.AsyncClient, auth: Auth, app: Any, engine: Any, db: Any
) -> None:
    created = (await create(client, auth)).json()
    closed = await client.post(
        f"/v1/objectives/{created['id']}/close",
        json={"outcome": "abandoned", "reason": "Merged into another"},
        headers=auth("claire"),
    )
    assert closed.status_code == 200, closed.text
    with Session(engine) as session:
        send_reports(
            session=session,
            gate=app.state.policy_gate,
            now=datetime.now(UTC) + timedelta(days=8),
            floor=5,
        )
        session.commit()
    assert _reports(db, created["id"]) == []
