"""Two search instances keep one vocabulary: an edit saved through one applies to the
other's searches, and of two edits on top of the same version exactly one is saved.

With OpenSearch both instances read one alias on the session's osmem-server and the
vocabulary is kept in the cluster; with tantivy (one machine) they share the file."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from opensearchpy import OpenSearch

from townhall_contracts.search import VocabularyRead
from townhall_search.app import create_app
from townhall_search.settings import SearchSettings
from townhall_search.vocabulary.cluster_store import ClusterVocabulary

from ..conftest import wait_for_first_index_check

BULK = "/internal/v1/index/bulk"
VOCABULARY = "/v1/search/vocabulary"
_aliases = itertools.count(1)


@pytest.fixture(params=["tantivy", "opensearch"])
def instances(
    request: pytest.FixtureRequest, search_settings: SearchSettings, policy: Any, tmp_path: Path
) -> Iterator[tuple[TestClient, TestClient]]:
    shared: dict[str, Any] = {"vocabulary_check_seconds": 0.0}
    if request.param == "opensearch":
        osmem = request.getfixturevalue("osmem")
        shared |= {
            "backend": "opensearch",
            "opensearch_url": osmem.url,
            "opensearch_index": f"test-vocabulary-{next(_aliases)}",
        }
    else:
        # tantivy's index is one machine's; so is the file both instances use.
        shared["vocabulary_file"] = tmp_path / "vocabulary.json"
    with ExitStack() as stack:
        clients = []
        for name in ("a", "b"):
            settings = search_settings.model_copy(
                update={**shared, "index_dir": tmp_path / f"index-{name}"}
            )
            app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
            clients.append(stack.enter_context(TestClient(app, raise_server_exceptions=False)))
            wait_for_first_index_check(app)
        yield clients[0], clients[1]


def test_an_edit_through_one_instance_applies_to_the_other(
    instances: tuple[TestClient, TestClient], events: Any, as_user: Any, as_service: Any
) -> None:
    first, second = instances
    batch = events.batch(
        events.upsert("cantine", title="Horaires de la cantine", body="Ouverte à midi.")
    )
    for instance in instances:
        assert instance.post(BULK, json=batch.model_dump(mode="json"), headers=as_service())
    search = {"q": "refectory"}
    assert second.get("/v1/search", params=search, headers=as_user("david")).json()["total"] == 0

    written = first.put(
        VOCABULARY,
        json={"version": 0, "groups": [["refectory", "cantine"]]},
        headers=as_user("claire"),
    )
    assert written.status_code == 200, written.text

    read = second.get(VOCABULARY, headers=as_user("claire")).json()
    assert (read["version"], read["groups"], read["updated_by"]) == (
        1,
        [["refectory", "cantine"]],
        "claire",
    )
    hits = second.get("/v1/search", params=search, headers=as_user("david")).json()["hits"]
    assert [hit["id"] for hit in hits] == ["cantine"]
    history = second.get(VOCABULARY + "/history", headers=as_user("claire")).json()
    assert [v["version"] for v in history["versions"]] == [1, 0]


def test_a_version_saved_through_the_other_instance_makes_an_edit_stale(
    instances: tuple[TestClient, TestClient], as_user: Any
) -> None:
    first, second = instances
    assert second.get(VOCABULARY, headers=as_user("claire")).json()["version"] == 0
    body = {"version": 0, "groups": [["a1", "b1"]]}
    assert first.put(VOCABULARY, json=body, headers=as_user("claire")).status_code == 200
    stale = second.put(
        VOCABULARY, json={"version": 0, "groups": [["c1", "d1"]]}, headers=as_user("claire")
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["type"].endswith("/stale-vocabulary")
    assert "version 1" in stale.json()["detail"]
    assert first.get(VOCABULARY, headers=as_user("claire")).json()["groups"] == [["a1", "b1"]]


def test_of_two_edits_at_once_on_two_instances_exactly_one_is_saved(
    instances: tuple[TestClient, TestClient], as_user: Any
) -> None:
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def save(instance: TestClient, term: str) -> None:
        barrier.wait()
        body = {"version": 0, "groups": [[term, term + "x"]]}
        statuses.append(instance.put(VOCABULARY, json=body, headers=as_user("claire")).status_code)

    threads = [
        threading.Thread(target=save, args=(instance, term))
        for instance, term in zip(instances, ("first", "second"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    for instance in instances:
        history = instance.get(VOCABULARY + "/history", headers=as_user("claire")).json()
        assert [v["version"] for v in history["versions"]] == [1, 0]


def test_an_instance_asks_the_cluster_again_only_after_its_check_delay(osmem: Any) -> None:
    client = OpenSearch(hosts=[osmem.url])
    index = f"test-vocabulary-{next(_aliases)}-vocabulary"
    now = [0.0]
    writer = ClusterVocabulary(client, index, check_seconds=5.0, clock=lambda: now[0])
    reader = ClusterVocabulary(client, index, check_seconds=5.0, clock=lambda: now[0])
    assert reader.versions() == []

    writer.append(0, lambda v: VocabularyRead(version=v, groups=[["a", "b"]], best_bets=[]))
    assert reader.versions() == []  # read less than 5 s ago: not asked again yet
    now[0] = 5.0
    assert [v.groups for v in reader.versions()] == [[["a", "b"]]]
    client.close()
