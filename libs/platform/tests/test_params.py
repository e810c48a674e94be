"""The bounded parameter types and the control-character guard, on a tiny app."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from townhall_platform.app import create_app
from townhall_platform.params import (
    BIGINT_MAX,
    AwareInstant,
    Instant,
    NonNegativeInt,
    ResourceId,
)
from townhall_platform.settings import ServiceSettings

router = APIRouter()


@router.get("/things/{thing_id}")
def things(
    thing_id: ResourceId,
    at: Annotated[Instant | None, Query(alias="from")] = None,
    offset: Annotated[NonNegativeInt, Query()] = 0,
    q: str = "",
) -> dict[str, str | int | None]:
    return {"id": thing_id, "at": at.isoformat() if at else None, "offset": offset, "q": q}


@pytest.fixture
def client(signing_key_file: Path) -> TestClient:
    settings = ServiceSettings(environment="test", signing_key_file=signing_key_file)
    return TestClient(create_app(name="demo", settings=settings, routers=[router], readiness={}))


class Window(BaseModel):
    start: AwareInstant


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "9999-12-31T23:59:59+14:00",
        "0001-01-01T00:00:00+14:00",
        "1969-12-31T23:59:59Z",
    ],
)
def test_instants_out_of_range_are_refused_naming_the_parameter(
    client: TestClient, value: str
) -> None:
    response = client.get("/things/a", params={"from": value})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["query", "from"]


def test_instants_in_range_arrive_in_utc(client: TestClient) -> None:
    answer = client.get("/things/a", params={"from": "2026-03-01T10:00:00+02:00"}).json()
    assert answer["at"] == "2026-03-01T08:00:00+00:00"
    naive = client.get("/things/a", params={"from": "2026-03-01T10:00:00"}).json()
    assert naive["at"] == "2026-03-01T10:00:00+00:00"
    assert Window(start=datetime(2026, 1, 1, tzinfo=UTC)).start.tzinfo is UTC
    with pytest.raises(ValidationError):
        Window.model_validate({"start": "2026-01-01T00:00:00"})


def test_integers_beyond_64_bits_are_refused(client: TestClient) -> None:
    assert client.get("/things/a", params={"offset": str(BIGINT_MAX)}).status_code == 200
    for value in (str(BIGINT_MAX + 1), str(10**40), "-1"):
        response = client.get("/things/a", params={"offset": value})
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["query", "offset"]


@pytest.mark.parametrize("thing_id", ["a b", ".x", "a%2Fb", "x" * 129, "é"])
def test_odd_ids_in_a_path_are_refused(client: TestClient, thing_id: str) -> None:
    assert client.get(f"/things/{thing_id}").status_code in (404, 422)


def test_control_characters_are_refused_in_paths_and_nul_in_queries(client: TestClient) -> None:
    for path in ("/things/%00", "/things/a%0Ab", "/things/%7F"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["location"] == ["path"]
    response = client.get("/things/a", params={"q": "x\x00y"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["query", "q"]
    # Other control characters in free text are the code's to handle.
    assert client.get("/things/a", params={"q": "x\ty\x1f"}).json()["q"] == "x\ty\x1f"
