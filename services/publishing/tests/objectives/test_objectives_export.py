"""The BI export of objectives: JSON and CSV hold the same objectives for every role."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
import pytest

from townhall_contracts.demo import USERS
from townhall_contracts.publishing.objectives import ObjectiveExportRow

from .test_objectives_api import create

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


async def test_every_role_exports_what_it_may_read_as_json_and_csv(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    company = (await create(client, auth, owner_id="marc")).json()
    confidential = await create(
        client, auth, "emma", scope={"kind": "space", "id": "hr-confidential"}
    )
    assert confidential.status_code == 201, confidential.text
    mine = {company["id"], confidential.json()["id"]}
    seen: dict[str, set[str]] = {}
    for user in USERS:
        listed = await client.get("/v1/objectives", headers=auth(user.id))
        exported = await client.get("/v1/objectives?format=csv", headers=auth(user.id))
        assert listed.status_code == exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert list(rows[0] if rows else ObjectiveExportRow.model_fields) == list(
            ObjectiveExportRow.model_fields
        )
        by_id = {o["id"]: o for o in listed.json()["objectives"]}
        assert {r["id"] for r in rows} == set(by_id)
        for row in rows:
            shown = by_id[row["id"]]
            assert float(row["target"]) == shown["target"]
            assert row["status"] == shown["status"]
            assert row["value"] == ("" if shown["value"] is None else str(shown["value"]))
            assert row["scope_kind"] == shown["scope"]["kind"]
        seen[user.id] = {r["id"] for r in rows} & mine
    assert seen["claire"] >= {company["id"]}  # communicators read every company objective
    assert seen["olivier"] >= {company["id"]}  # compliance reads them
    assert company["id"] in seen["marc"]  # its owner
    assert confidential.json()["id"] in seen["emma"]
    assert seen["alice"] == set()  # an employee reads none
    assert confidential.json()["id"] not in seen["alice"] | seen["hugo"]


async def test_export_refusals(client: httpx.AsyncClient, auth: Auth) -> None:
    assert (await client.get("/v1/objectives?format=csv")).status_code == 401
    bad = await client.get("/v1/objectives?format=xlsx", headers=auth("claire"))
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
