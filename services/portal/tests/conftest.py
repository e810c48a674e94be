"""The portal in-process, pointed at ports where nothing answers unless a test says so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from townhall_platform.testing import free_port
from townhall_portal.app import create_app
from townhall_portal.settings import PortalSettings


def dead_url() -> str:
    """An address where no service listens: calls to it fail like a service that is down."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def settings(signing_key_file: Path) -> PortalSettings:
    return PortalSettings(
        environment="test",
        signing_key_file=signing_key_file,
        policy_url=dead_url(),
        publishing_url=dead_url(),
        search_url=dead_url(),
        notifications_url=dead_url(),
        http_timeout_seconds=0.5,
    )


@pytest.fixture
def client(settings: PortalSettings) -> TestClient:
    return TestClient(create_app(settings), follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)
