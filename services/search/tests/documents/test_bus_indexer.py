"""Search's indexer on the bus, against a real `nats-server -js`: events applied in order
and searchable, a redelivered batch without effect, a poison event dead-lettered while
the others go on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from townhall_contracts.events import (
    STREAM,
    STREAM_SUBJECTS,
    DocumentUpserted,
    Event,
    EventType,
    message_id,
    subject_for,
)
from townhall_contracts.search import IndexEvent
from townhall_platform.bus import Bus, StreamSpec
from townhall_platform.bus.testing import NatsServer
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_search.app import create_app
from townhall_search.documents.service import apply_batch
from townhall_search.index import TantivyIndex
from townhall_search.settings import SearchSettings

from ..conftest import Events, PolicyStub, wait_for_first_index_check

DEAD_LETTERS = "townhall_bus_dead_letters_total"


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    with NatsServer(tmp_path / "nats") as server:
        yield server


def _bus_event(index_event: IndexEvent) -> Event:
    assert index_event.document is not None
    data = DocumentUpserted(
        doc_id=index_event.doc_id, version=index_event.version, document=index_event.document
    )
    return Event(
        id=index_event.event_id,
        type=EventType.DOCUMENT_UPSERTED,
        occurred_at=index_event.document.updated_at,
        data=data.model_dump(mode="json"),
    )


def _publish(url: str, messages: list[tuple[str, bytes, str]]) -> None:
    async def send() -> None:
        bus = Bus(url, name="test-publisher")
        await bus.connect()
        await bus.ensure_streams(StreamSpec(STREAM, STREAM_SUBJECTS))
        for subject, data, msg_id in messages:
            await bus.publish(subject, data, message_id=msg_id)
        await bus.close()

    asyncio.run(send())


def _message(event: Event) -> tuple[str, bytes, str]:
    return subject_for(event), event.model_dump_json().encode(), message_id(event)


def _eventually(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"waited {EVENTUALLY_SECONDS}s for {what}"
        time.sleep(0.02)


@pytest.fixture
def bus_client(
    search_settings: SearchSettings, policy: PolicyStub, nats: NatsServer
) -> Iterator[tuple[TestClient, Any]]:
    settings = search_settings.model_copy(update={"bus_enabled": True, "nats_url": nats.url})
    app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        wait_for_first_index_check(app)
        yield test_client, app


def _titles(client: TestClient, as_user: Callable[[str], dict[str, str]], q: str) -> list[str]:
    answer = client.get("/v1/search", params={"q": q}, headers=as_user("alice"))
    assert answer.status_code == 200, answer.text
    return [hit["title"] for hit in answer.json()["hits"]]


def test_document_events_on_the_bus_become_searchable_in_order(
    bus_client: tuple[TestClient, Any], nats: NatsServer, events: Events, as_user: Any
) -> None:
    client, app = bus_client
    first = events.upsert("p1", 1, title="Fenêtre de maintenance")
    second = events.upsert("p1", 2, title="Fenêtre de maintenance reportée")
    other = events.upsert("p2", 1, title="Maintenance du réseau")

    _publish(nats.url, [_message(_bus_event(e)) for e in (first, second, other)])

    _eventually("the index to hold event 3", lambda: app.state.index.watermark()[0] == 3)
    assert app.state.index.versions(["p1", "p2"]) == {"p1": 2, "p2": 1}
    assert sorted(_titles(client, as_user, "maintenance")) == [
        "Fenêtre de maintenance reportée",
        "Maintenance du réseau",
    ]


def test_a_batch_redelivered_after_a_crash_before_the_ack_changes_nothing(
    search_settings: SearchSettings, policy: PolicyStub, nats: NatsServer, events: Events
) -> None:
    batch = [events.upsert("p1", 1, title="v1"), events.upsert("p1", 2, title="v2")]
    _publish(nats.url, [_message(_bus_event(e)) for e in batch])
    settings = search_settings.model_copy(update={"bus_enabled": True, "nats_url": nats.url})
    # An indexer applied the batch and died before acking it: the index has it, the
    # stream still counts it as unacknowledged.
    index = TantivyIndex.open(settings.index_dir, heap_bytes=settings.writer_heap_bytes)
    try:
        assert apply_batch(index=index, batch=events.batch(*batch)).applied == 2
    finally:
        index.close()
    # The next indexer gets the same events again: each is a version the index holds.
    app = create_app(settings, policy_transport=httpx.MockTransport(policy.handle))
    with TestClient(app, raise_server_exceptions=False):
        _eventually(
            "the redelivered events to be handled",
            lambda: (
                (
                    app.state.registry.get_sample_value(
                        "townhall_bus_handled_total", {"consumer": "search-indexer"}
                    )
                    or 0
                )
                == 2
            ),
        )
        assert app.state.index.versions(["p1"]) == {"p1": 2}
        assert app.state.index.watermark() == (2, 1)


def test_a_poison_event_goes_to_the_dead_letters_and_the_next_ones_are_applied(
    bus_client: tuple[TestClient, Any], nats: NatsServer, events: Events
) -> None:
    client, app = bus_client
    good = events.upsert("p1", 1)
    unreadable = ("townhall.publishing.document.upserted", b"{not json", "publishing-garbage")
    mismatched = _bus_event(events.upsert("p2", 1))
    mismatched.data["document"]["id"] = "somebody-else"
    after = events.upsert("p3", 1)

    _publish(
        nats.url,
        [_message(_bus_event(good)), unreadable, _message(mismatched), _message(_bus_event(after))],
    )

    _eventually("p3 to be indexed", lambda: app.state.index.versions(["p3"]) == {"p3": 1})
    _eventually(
        "two dead letters",
        lambda: (
            app.state.registry.get_sample_value(DEAD_LETTERS, {"consumer": "search-indexer"}) == 2
        ),
    )
    assert app.state.index.versions(["p1", "p2"]) == {"p1": 1}
    metrics = client.get("/metrics").text
    assert 'townhall_bus_dead_letters_total{consumer="search-indexer"} 2.0' in metrics
