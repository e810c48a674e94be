"""The service as a whole: health, readiness, OpenAPI, settings, CLI."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from townhall_search.app import create_app
from townhall_search.cli import main
from townhall_search.index import TantivyIndex
from townhall_search.settings import SearchSettings

from .conftest import wait_for_first_index_check


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "service": "search"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"index": True, "policy": True}
    assert "townhall_http_requests_total" in client.get("/metrics").text


def test_startup_fails_while_another_writer_holds_the_index(search_settings) -> None:
    holder = TantivyIndex.open(search_settings.index_dir, heap_bytes=15_000_000)
    try:
        with pytest.raises(ValueError, match="LockBusy"), TestClient(create_app(search_settings)):
            pass
    finally:
        holder.close()


def test_openapi_documents_the_endpoints(client) -> None:
    schema = client.get("/openapi.json").json()

    search = schema["paths"]["/v1/search"]["get"]
    assert {p["name"] for p in search["parameters"]} == {
        "q",
        "kind",
        "space",
        "author",
        "from",
        "to",
        "sort",
        "cursor",
        "limit",
        "facets",
    }
    assert {"400", "401", "403", "422", "503"} <= set(search["responses"])
    bulk = schema["paths"]["/internal/v1/index/bulk"]["post"]
    assert {"401", "403", "413", "422"} <= set(bulk["responses"])


def test_settings_defaults_and_prefix(monkeypatch) -> None:
    monkeypatch.setenv("TOWNHALL_SEARCH_INDEX_DIR", "/srv/index")
    settings = SearchSettings()

    assert settings.port == 8103
    assert settings.index_dir == Path("/srv/index")
    # What keeps cached principals fresh is the revision check, confirmed at least every
    # second: the design's promise that a revoked member stops seeing a space in a second.
    assert settings.revision_check_seconds <= 1.0


def test_the_revision_check_cannot_be_rarer_than_a_second() -> None:
    with pytest.raises(ValidationError):
        SearchSettings(revision_check_seconds=5)
    with pytest.raises(ValidationError):
        SearchSettings(principals_cache_seconds=7200)


def test_production_needs_no_database_but_a_real_cursor_secret(tmp_path: Path) -> None:
    production = {
        "environment": "production",
        "jwks_url": "https://idp.example/jwks.json",
        "signing_key_file": tmp_path / "unused.pem",
        "service_token": "a-real-service-token",
    }
    with pytest.raises(ValidationError, match="cursor_secret"):
        SearchSettings(**production)

    settings = SearchSettings(**production, cursor_secret="s3cr3t-from-the-vault")
    assert settings.database_url == ""


def test_migrate_creates_the_index_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TOWNHALL_SEARCH_INDEX_DIR", str(tmp_path / "idx"))
    runner = CliRunner()

    first = runner.invoke(main, ["migrate"])
    second = runner.invoke(main, ["migrate"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "0 documents" in second.output
    assert (tmp_path / "idx" / "CURRENT").read_text().strip() == "gen-000001"
    assert (tmp_path / "idx" / "gen-000001" / "meta.json").exists()


def test_the_opensearch_backend_is_chosen_by_settings(
    search_settings, policy, osmem, events, as_service, as_user
) -> None:
    settings = search_settings.model_copy(
        update={
            "backend": "opensearch",
            "opensearch_url": osmem.url,
            "opensearch_index": "app-test-documents",
        }
    )
    app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
    batch = events.batch(events.upsert("p1", title="Sécurité des données"))

    with TestClient(app) as client:
        wait_for_first_index_check(app)
        assert client.get("/readyz").json()["checks"] == {"index": True, "policy": True}
        applied = client.post(
            "/internal/v1/index/bulk", json=batch.model_dump(mode="json"), headers=as_service()
        )
        found = client.get("/v1/search", params={"q": "sécurité"}, headers=as_user("david"))

    assert applied.json()["applied"] == 1
    assert [hit["id"] for hit in found.json()["hits"]] == ["p1"]
    assert not (search_settings.index_dir / "CURRENT").exists()


def test_backend_setting_is_validated(signing_key_file) -> None:
    with pytest.raises(ValidationError):
        SearchSettings(environment="test", signing_key_file=signing_key_file, backend="solr")
    with pytest.raises(ValidationError):
        SearchSettings(
            environment="test", signing_key_file=signing_key_file, opensearch_index="Bad Name"
        )
