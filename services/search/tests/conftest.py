"""Fixtures of the search service's tests: an index on a temporary directory, event
factories, and the app with policy stood in for at its process boundary.

The index under test, on each backend: tantivy in-process, OpenSearch over HTTP.

OpenSearch is played by `osmem-server` (an OpenSearch-compatible server from PyPI),
started once per test session as a real process; each test gets its own alias and
indexes on it. Where osmem differs from OpenSearch, the tests say so where it
matters:
- it ignores the `elision` token filter (and `mapping` char filters): the backend
  splits elided articles itself before indexing and querying, so elision is tested
  for real on both;
- its highlighter also marks stopwords next to a match ("<b>la</b> <b>sécurité</b>"),
  so highlight tests check the match and the escaping, not the exact fragment;
- writes are visible without a refresh (the backend asks `refresh=wait_for` anyway,
  as real OpenSearch needs);
- it has no security plugin (the backend connects without credentials here).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from osmem_server import OsmemServer

from townhall_contracts.search import (
    DocumentType,
    IndexBatch,
    IndexDocument,
    IndexEvent,
    IndexOperation,
)
from townhall_platform.auth import TokenIssuer
from townhall_search.app import create_app
from townhall_search.index import IndexBackend, TantivyIndex
from townhall_search.index.opensearch_backend import OpenSearchIndex
from townhall_search.settings import SearchSettings

TEST_HEAP_BYTES = 15_000_000
BASE_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Events:
    """Builds index documents and events the way publishing's relay sends them."""

    def __init__(self) -> None:
        self._event_ids = itertools.count(1)

    def document(self, doc_id: str, **overrides: Any) -> IndexDocument:
        values: dict[str, Any] = {
            "id": doc_id,
            "doc_type": DocumentType.POST,
            "kind": "social",
            "space_id": "engineering",
            "author_id": "alice",
            "title": f"Post {doc_id}",
            "body": "",
            "state": "published",
            "readers": ["org", "auditor:org", "user:alice"],
            "created_at": BASE_TIME,
            "updated_at": BASE_TIME,
        }
        values.update(overrides)
        return IndexDocument(**values)

    def upsert(self, doc_id: str, version: int = 1, **overrides: Any) -> IndexEvent:
        return IndexEvent(
            event_id=next(self._event_ids),
            op=IndexOperation.UPSERT,
            doc_id=doc_id,
            version=version,
            document=self.document(doc_id, **overrides),
        )

    def delete(self, doc_id: str, version: int) -> IndexEvent:
        return IndexEvent(
            event_id=next(self._event_ids), op=IndexOperation.DELETE, doc_id=doc_id, version=version
        )

    def batch(self, *events: IndexEvent) -> IndexBatch:
        return IndexBatch(events=list(events))

    @staticmethod
    def at(minutes: int) -> datetime:
        return BASE_TIME + timedelta(minutes=minutes)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def index(tmp_path: Path) -> Iterator[TantivyIndex]:
    opened = TantivyIndex.open(tmp_path / "index", heap_bytes=TEST_HEAP_BYTES)
    yield opened
    opened.close()


# Principals as policy would answer them for a few demo users.
DIRECTORY: dict[str, list[str]] = {
    "alice": ["org", "user:alice", "space:engineering", "space:projet-phoenix"],
    "bob": ["org", "user:bob", "space:engineering", "space:projet-phoenix"],
    "chloe": ["org", "user:chloe", "space:hr-confidential"],
    "claire": ["org", "user:claire"],
    "david": ["org", "user:david", "space:cafe"],
    "olivier": ["org", "user:olivier", "auditor:org"],
}


@dataclass
class PolicyStub:
    """Stands in for the policy process at the HTTP boundary of `PolicyClient`."""

    directory: dict[str, list[str]] = field(default_factory=lambda: dict(DIRECTORY))
    inactive: set[str] = field(default_factory=set)
    revision: int = 1
    down: bool = False
    calls: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    # Who holds `vocabulary.manage` in `org` (communicators, in the demo data).
    vocabulary_managers: set[str] = field(default_factory=lambda: {"claire"})

    def handle(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        self.audiences.append(str(claims["aud"]))
        if self.down:
            return httpx.Response(503, json={"title": "down"})
        if request.method == "GET" and request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok", "service": "policy"})
        prefix = "/v1/subjects/"
        path = request.url.path
        if request.method == "GET" and path == "/v1/revision":
            return httpx.Response(200, json={"policy_revision": self.revision})
        if request.method == "POST" and path == "/v1/decisions":
            return self._decide(json.loads(request.content))
        if (
            request.method != "GET"
            or not path.startswith(prefix)
            or not path.endswith("/principals")
        ):
            return httpx.Response(404, json={"title": "Not found"})
        subject = path[len(prefix) : -len("/principals")]
        self.calls.append(subject)
        if subject not in self.directory:
            return httpx.Response(404, json={"title": "Not found", "status": 404})
        active = subject not in self.inactive
        return httpx.Response(
            200,
            json={
                "subject": subject,
                "active": active,
                "principals": self.directory[subject] if active else [],
                "policy_revision": self.revision,
            },
        )

    def _decide(self, asked: dict[str, str]) -> httpx.Response:
        allowed = (
            asked["action"] == "vocabulary.manage"
            and asked["domain"] == "org"
            and asked["subject"] in self.vocabulary_managers
        )
        return httpx.Response(
            200,
            json={
                **asked,
                "allowed": allowed,
                "decision_id": f"d-{asked['subject']}",
                "policy_revision": self.revision,
                "reason": {"summary": "allowed" if allowed else "no role allows it"},
            },
        )


@pytest.fixture
def policy() -> PolicyStub:
    return PolicyStub()


@pytest.fixture
def search_settings(tmp_path: Path, signing_key_file: Path) -> SearchSettings:
    return SearchSettings(
        environment="test",
        signing_key_file=signing_key_file,
        index_dir=tmp_path / "search-index",
        writer_heap_bytes=TEST_HEAP_BYTES,
        rebuild_heap_bytes=TEST_HEAP_BYTES,
        max_body_bytes=200_000,
        # No publishing answers here (a port nothing listens on): the index is unverified,
        # never compared with a publishing some other process runs on the default port.
        publishing_url="http://127.0.0.1:9",
        # The bus consumer has tests of its own, with a NATS server of theirs.
        bus_enabled=False,
        nats_url="nats://127.0.0.1:9",
        # The search log has tests of its own, with a publishing that listens.
        record_queries=False,
    )


@pytest.fixture
def client(search_settings: SearchSettings, policy: PolicyStub) -> Iterator[TestClient]:
    app = create_app(search_settings, policy_transport=httpx.MockTransport(policy.handle))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        wait_for_first_index_check(app)
        yield test_client


@pytest.fixture(params=["tantivy", "opensearch"])
def engine_client(
    request: pytest.FixtureRequest, search_settings: SearchSettings, policy: PolicyStub
) -> Iterator[TestClient]:
    """The app on each backend in turn: tantivy, then OpenSearch (osmem) on an index of
    its own."""
    settings = search_settings
    if request.param == "opensearch":
        osmem = request.getfixturevalue("osmem")
        settings = search_settings.model_copy(
            update={
                "backend": "opensearch",
                "opensearch_url": osmem.url,
                "opensearch_index": f"engine-{uuid.uuid4().hex[:10]}",
            }
        )
    app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        wait_for_first_index_check(app)
        yield test_client


def wait_for_first_index_check(app: Any, timeout: float = 30.0) -> None:
    """Readiness waits for the first check of the index against publishing (here
    unanswered: nothing listens on publishing's port)."""
    deadline = time.monotonic() + timeout
    while app.state.index_watch.checks == 0:
        assert time.monotonic() < deadline, "the index was not checked within 30 s"
        time.sleep(0.01)


AuthHeaders = Callable[[str], dict[str, str]]


@pytest.fixture
def as_user(token_issuer: TokenIssuer) -> AuthHeaders:
    def headers(subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.user_token(subject)}"}

    return headers


@pytest.fixture
def as_service(token_issuer: TokenIssuer) -> AuthHeaders:
    def headers(service: str = "publishing") -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.service_token(service)}"}

    return headers


_aliases = itertools.count(1)


@pytest.fixture(scope="session")
def osmem() -> Iterator[OsmemServer]:
    """One osmem-server process for the session (exits with the test process)."""
    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


def open_backend(name: str, tmp_path: Path, osmem: OsmemServer | None) -> IndexBackend:
    """A fresh index on `name`: tantivy under `tmp_path`, or a new alias on osmem."""
    if name == "tantivy":
        return TantivyIndex.open(tmp_path / "index", heap_bytes=TEST_HEAP_BYTES)
    assert osmem is not None
    return OpenSearchIndex.open(osmem.url, alias=f"test-docs-{next(_aliases)}")


@pytest.fixture
def index_opener() -> Callable[[str, Path, OsmemServer | None], IndexBackend]:
    return open_backend


@pytest.fixture(params=["tantivy", "opensearch"])
def backend_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexBackend]:
    """The same index behaviour on both engines."""
    server = request.getfixturevalue("osmem") if request.param == "opensearch" else None
    opened = open_backend(request.param, tmp_path, server)
    yield opened
    opened.close()
