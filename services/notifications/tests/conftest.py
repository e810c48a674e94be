"""Fixtures of the notifications tests: the app on a migrated database (SQLite and
PostgreSQL), policy stood in for at its HTTP boundary, and event factories."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from townhall_contracts.events import Event, EventType
from townhall_notifications.app import create_app
from townhall_notifications.cli import MIGRATIONS
from townhall_notifications.settings import NotificationsSettings
from townhall_platform.auth import TokenIssuer
from townhall_platform.db import make_engine, run_migrations

from .policy_stub import PolicyStub

TABLES = (
    "notifications",
    "applied_events",
    "acknowledgements_due",
    "preferences",
    "outgoing_mail",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_subscriptions",
)
_ids = itertools.count(1_000)


@pytest.fixture(scope="module")
def migrated_url(database_url: str) -> str:
    run_migrations(database_url, MIGRATIONS)
    return database_url


def _empty_tables(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_url)
    # Each test starts from empty tables, whatever ran before it (a test that never asked
    # for this fixture may have written through the app): tests pass in any order.
    _empty_tables(engine)
    yield engine
    _empty_tables(engine)
    engine.dispose()


@pytest.fixture
def policy() -> PolicyStub:
    return PolicyStub()


@pytest.fixture
def settings(migrated_url: str, signing_key_file: Path, tmp_path: Path) -> NotificationsSettings:
    # Whatever reaches the database goes through these settings: start from empty tables.
    emptied = make_engine(migrated_url)
    _empty_tables(emptied)
    emptied.dispose()
    return NotificationsSettings(
        environment="test",
        database_url=migrated_url,
        signing_key_file=signing_key_file,
        worker_enabled=False,
        smtp_sink_enabled=False,
        smtp_sink_dir=tmp_path / "mailbox",
        # Every answer asked of policy: a revocation shows at once.
        policy_cache_seconds=0,
        smtp_backoff_seconds=0,
    )


def publishing_spaces(policy: PolicyStub) -> httpx.MockTransport:
    """Publishing at its HTTP boundary: `GET /v1/spaces/{id}`, from the policy stub's spaces."""

    def handle(request: httpx.Request) -> httpx.Response:
        name = request.url.path.removeprefix("/v1/spaces/")
        space = policy.spaces.get(name)
        if space is None:
            return httpx.Response(404, json={"title": "Not found", "status": 404})
        return httpx.Response(
            200,
            json={
                "id": name,
                "name": name,
                "kind": "community",
                "visibility": space.visibility,
                "description": "",
                "created_by": "paul",
                "created_at": "2026-01-01T00:00:00Z",
                "archived_at": None,
            },
        )

    return httpx.MockTransport(handle)


@pytest.fixture
def app(settings: NotificationsSettings, policy: PolicyStub, engine: Engine) -> Any:
    return create_app(
        settings,
        policy_transport=httpx.MockTransport(policy.handle),
        publishing_transport=publishing_spaces(policy),
    )


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_user(token_issuer: TokenIssuer) -> Callable[[str], dict[str, str]]:
    return lambda subject: {"Authorization": f"Bearer {token_issuer.user_token(subject)}"}


@pytest.fixture
def as_service(token_issuer: TokenIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_issuer.service_token('publishing')}"}


def event(type: EventType, **data: Any) -> Event:
    """An event as publishing's outbox writes it, with a fresh id."""
    return Event(id=next(_ids), type=type, occurred_at=datetime.now(UTC), data=data)


def published(post_id: str = "p1", space_id: str = "general", **overrides: Any) -> Event:
    data: dict[str, Any] = {
        "post_id": post_id,
        "space_id": space_id,
        "kind": "official",
        "author_id": "claire",
        "title": "Safety first",
        "summary": "Read the new rules",
    }
    return event(EventType.POST_PUBLISHED, **(data | overrides))
