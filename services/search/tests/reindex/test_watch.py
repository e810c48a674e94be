"""The index checked against publishing's outbox: what counts as lost, what as fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from townhall_contracts.search import DocumentExportPage, ExportedDocument, ExportSummary
from townhall_platform.workers import NotReady
from townhall_search.index import TantivyIndex
from townhall_search.reindex.service import Reindexer
from townhall_search.reindex.watch import IndexWatch

HEAP = 15_000_000


class Outbox:
    """What publishing's summary and export answer, set by each test."""

    def __init__(self, documents: list[ExportedDocument]) -> None:
        self.head = 0
        self.delivered = 0
        self.named: dict[int, int] = {}
        self.documents = documents
        self.down = False

    def summary(self, through: int | None) -> ExportSummary:
        if self.down:
            raise ConnectionError("publishing is unreachable")
        return ExportSummary(
            head=self.head,
            delivered_through=self.delivered,
            through=through,
            documents_through=self.named.get(through, 0) if through is not None else None,
        )

    def export(self, after: str | None, limit: int) -> DocumentExportPage:
        if self.down:
            raise ConnectionError("publishing is unreachable")
        return DocumentExportPage(documents=self.documents, total=len(self.documents))


@pytest.fixture
def outbox(events) -> Outbox:
    return Outbox(
        [ExportedDocument(version=1, document=events.document(f"p{n}")) for n in range(3)]
    )


def _watch(index: TantivyIndex, outbox: Outbox) -> IndexWatch:
    reindexer = Reindexer(
        index=index,
        source=outbox.export,
        page_size=10,
        delivered=lambda: outbox.summary(None).delivered_through,
    )
    return IndexWatch(index=index, reindexer=reindexer, summary=outbox.summary, interval=60)


def test_not_ready_before_the_first_check(index, outbox) -> None:
    with pytest.raises(NotReady, match="not been checked"):
        _watch(index, outbox).readiness()


def test_an_index_that_holds_what_was_delivered_is_whole(index, events, outbox) -> None:
    index.apply([events.upsert("p0"), events.upsert("p1"), events.upsert("p0", version=2)])
    outbox.head, outbox.delivered, outbox.named = 5, 3, {3: 2}
    watch = _watch(index, outbox)

    assert watch.check() is None
    assert watch.verified
    watch.tick()
    assert watch.readiness()


def test_events_delivered_past_the_watermark_mean_a_lost_index(index, outbox) -> None:
    outbox.head, outbox.delivered = 3, 3

    problem = _watch(index, outbox).check()

    assert problem is not None and "acknowledged changes are missing" in problem


def test_fewer_documents_than_the_events_name_mean_a_lost_index(index, events, outbox) -> None:
    index.apply([events.upsert("p0"), events.upsert("p1")])
    outbox.head, outbox.delivered, outbox.named = 2, 2, {2: 3}

    problem = _watch(index, outbox).check()

    assert problem is not None and "documents are missing" in problem


def test_a_watermark_past_publishing_means_another_database(index, events, outbox) -> None:
    index.apply([events.upsert("p0"), events.upsert("p1")])
    outbox.head, outbox.delivered = 1, 1

    problem = _watch(index, outbox).check()

    assert problem is not None and "another database" in problem


def test_publishing_unreachable_leaves_an_opened_index_serving_unverified(index, outbox) -> None:
    outbox.down = True
    watch = _watch(index, outbox)

    watch.tick()

    assert watch.problem is None and not watch.verified
    assert watch.readiness()


def test_a_lost_index_is_rebuilt_and_serves_again(index, outbox) -> None:
    outbox.head, outbox.delivered, outbox.named = 3, 3, {3: 3}
    watch = _watch(index, outbox)

    assert watch.tick() == 0.0  # rebuilt: check again at once
    assert watch.problem is not None
    watch.tick()

    assert watch.problem is None and watch.rebuilds == 1
    assert index.watermark() == (3, 3)
    assert watch.readiness()


def test_a_damaged_index_says_why_and_how_far_the_rebuild_is(tmp_path: Path, outbox) -> None:
    directory = tmp_path / "index"
    TantivyIndex.open(directory, heap_bytes=HEAP).close()
    (directory / "CURRENT").write_text("gen-000042\n")
    index = TantivyIndex.open(directory, heap_bytes=HEAP)
    try:
        outbox.down = True
        watch = _watch(index, outbox)
        watch.tick()
        with pytest.raises(NotReady, match="gen-000042, which is missing; the last rebuild failed"):
            watch.readiness()

        outbox.down = False
        outbox.head = outbox.delivered = 0
        watch.tick()
        watch.tick()

        assert index.damage() is None and watch.readiness()
        assert index.count() == 3
        assert (directory / "CURRENT").read_text().strip() == "gen-000003"
        assert sorted(p.name for p in directory.iterdir() if p.is_dir()) == ["gen-000003"]
    finally:
        index.close()


def test_with_the_bus_a_lost_index_is_judged_once_the_indexer_went_idle(index, outbox) -> None:
    outbox.head, outbox.delivered = 3, 3
    idle: list[float | None] = [None]
    reindexer = Reindexer(
        index=index,
        source=outbox.export,
        page_size=10,
        delivered=lambda: outbox.summary(None).delivered_through,
    )
    watch = IndexWatch(
        index=index,
        reindexer=reindexer,
        summary=outbox.summary,
        interval=60,
        caught_up_at=lambda: idle[0],
    )

    # The indexer has not gone idle since: the events may still be on their way.
    assert watch.check() is None
    assert watch.awaiting_indexer()
    with pytest.raises(NotReady, match="not been checked"):
        watch.readiness()
    # It went idle afterwards with nothing applied: those events are lost.
    idle[0] = float("inf")
    assert "acknowledged changes are missing" in (watch.check() or "")
    assert not watch.awaiting_indexer()
