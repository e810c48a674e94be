"""Several search instances on one OpenSearch index (issue 19), on osmem-server.

Each `OpenSearchIndex` here stands for one search instance: its own client and no
state shared with the others but the cluster. What osmem cannot prove of a real
cluster: it creates an index a write names even when `action.auto_create_index`
excludes it (the backend never names an unresolved index, so the setting is a second
line of defence, documented in docs/operations.md), and it has one node, so replicas
are recorded in the settings but never allocated.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from townhall_search.index import RebuildInProgress, SearchQuery
from townhall_search.index.opensearch_backend import IndexIncomplete, OpenSearchIndex
from townhall_search.index.opensearch_layout import IndexLayout, IndexUnavailable
from townhall_search.index.opensearch_lock import RebuildLock, RebuildLockLost

EVERYONE = frozenset({"org"})


@pytest.fixture
def alias() -> str:
    return f"multi-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def instances(osmem, alias) -> Iterator[list[OpenSearchIndex]]:
    """Three instances opened at once on a cluster that holds nothing yet."""
    opened: list[OpenSearchIndex] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(OpenSearchIndex.open(osmem.url, alias=alias, shards=2, replicas=0))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [], "every instance creating the index at once must succeed"
    yield opened
    for index in opened:
        index.close()


def _found(index: OpenSearchIndex, *, text: str = "") -> list[str]:
    page = index.search(SearchQuery(text=text, principals=EVERYONE, limit=100))
    return sorted(hit.id for hit in page.hits)


def _cluster(osmem) -> OpenSearch:
    return OpenSearch(hosts=[osmem.url])


def test_instances_creating_the_index_at_once_share_one(instances, osmem, alias) -> None:
    cluster = _cluster(osmem)
    assert list(cluster.indices.get_alias(name=alias)) == [f"{alias}-000001"]
    assert list(cluster.indices.get_alias(name=f"{alias}-write")) == [f"{alias}-000001"]
    settings = cluster.indices.get_settings(index=f"{alias}-000001")[f"{alias}-000001"]
    assert settings["settings"]["index"]["number_of_shards"] == "2"
    assert settings["settings"]["index"]["number_of_replicas"] == "0"


def test_events_on_any_instance_reach_the_index_another_one_builds(instances, events) -> None:
    builder, other, third = instances
    other.apply([events.upsert("before", title="avant")])
    builder.start_rebuild()
    builder.load_rebuild([events.upsert("before", title="avant")])
    # Events another instance receives during the rebuild reach the new index too.
    other.apply([events.upsert("during", title="pendant")])
    third.apply([events.upsert("before", version=2, title="modifié")])
    builder.finish_rebuild(documents=1)

    for instance in instances:
        assert _found(instance) == ["before", "during"]
        assert instance.versions(["before"]) == {"before": 2}
    # After the switch, every instance writes into the new index (not the old one).
    other.apply([events.upsert("after", title="après")])
    third.apply([events.delete("during", version=2)])
    assert _found(builder) == ["after", "before"]


def test_one_rebuild_at_a_time_across_instances(instances, events) -> None:
    first, second, _ = instances
    first.start_rebuild()
    with pytest.raises(RebuildInProgress, match="another instance"):
        second.start_rebuild()
    first.abort_rebuild()

    second.start_rebuild()
    second.finish_rebuild()
    # The switch released the lock: the next rebuild may start anywhere.
    first.start_rebuild()
    with pytest.raises(RebuildInProgress):
        second.start_rebuild()
    first.abort_rebuild()


def test_the_old_index_is_kept_until_the_next_rebuild(instances, osmem, alias, events) -> None:
    index = instances[0]
    index.apply([events.upsert("p1")])
    index.start_rebuild()
    index.finish_rebuild()
    cluster = _cluster(osmem)
    assert cluster.indices.exists(index=f"{alias}-000001")
    assert list(cluster.indices.get_alias(name=f"{alias}-write")) == [f"{alias}-000002"]

    index.start_rebuild()
    assert not cluster.indices.exists(index=f"{alias}-000001")
    assert sorted(cluster.indices.get_alias(name=f"{alias}-write")) == [
        f"{alias}-000002",
        f"{alias}-000003",
    ]
    index.abort_rebuild()
    assert not cluster.indices.exists(index=f"{alias}-000003")
    assert list(cluster.indices.get_alias(name=alias)) == [f"{alias}-000002"]


def test_an_incomplete_new_index_is_not_switched_to(instances, events) -> None:
    index = instances[0]
    index.apply([events.upsert("p1"), events.upsert("p2")])
    index.start_rebuild()
    index.load_rebuild([events.upsert("p1")])

    with pytest.raises(IndexIncomplete, match="holds 1 of the 3 documents"):
        index.finish_rebuild(documents=3)
    index.abort_rebuild()
    assert _found(index) == ["p1", "p2"]


def test_writes_refuse_with_503_when_the_write_alias_is_gone(instances, osmem, alias, events):
    _cluster(osmem).indices.delete_alias(index=f"{alias}-000001", name=f"{alias}-write")

    with pytest.raises(IndexUnavailable) as refused:
        instances[0].apply([events.upsert("p1")])
    assert refused.value.status == 503
    assert not instances[0].ready()


def test_a_lock_whose_holder_died_is_taken_over_once(osmem, alias, instances) -> None:
    cluster, layout = _cluster(osmem), IndexLayout(alias=alias)
    moment = [1000.0]
    dead = RebuildLock(cluster, layout, lease_seconds=30, clock=lambda: moment[0])
    dead.acquire("x")
    rivals = [RebuildLock(cluster, layout, lease_seconds=30, clock=lambda: moment[0]) for _ in "ab"]
    with pytest.raises(RebuildInProgress):
        rivals[0].acquire("y")

    moment[0] += 31
    rivals[0].acquire("y")
    with pytest.raises(RebuildInProgress):
        rivals[1].acquire("z")
    with pytest.raises(RebuildLockLost):
        dead.renew("x")
    rivals[0].release()
    rivals[1].acquire("z")
    rivals[1].release()
