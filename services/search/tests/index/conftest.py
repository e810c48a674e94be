"""The index under test, on each backend: tantivy in-process, OpenSearch over HTTP.

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
from collections.abc import Iterator
from pathlib import Path

import pytest
from osmem_server import OsmemServer

from townhall_search.index import IndexBackend, TantivyIndex
from townhall_search.index.opensearch_backend import OpenSearchIndex

TEST_HEAP_BYTES = 15_000_000
_aliases = itertools.count(1)


@pytest.fixture(scope="session")
def osmem() -> Iterator[OsmemServer]:
    """One osmem-server process for the session (exits with the test process)."""
    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


def open_backend(name: str, tmp_path: Path, osmem: OsmemServer | None) -> IndexBackend:
    if name == "tantivy":
        return TantivyIndex.open(tmp_path / "index", heap_bytes=TEST_HEAP_BYTES)
    assert osmem is not None
    return OpenSearchIndex.open(osmem.url, alias=f"test-docs-{next(_aliases)}")


@pytest.fixture(params=["tantivy", "opensearch"])
def backend_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexBackend]:
    """The same index behaviour on both engines."""
    server = request.getfixturevalue("osmem") if request.param == "opensearch" else None
    opened = open_backend(request.param, tmp_path, server)
    yield opened
    opened.close()
