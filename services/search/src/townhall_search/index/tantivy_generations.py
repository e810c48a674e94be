"""tantivy's index directory: generations, the `CURRENT` pointer, one writer each.

The index directory holds generations (`gen-<n>/`) and a `CURRENT` file naming the
live one. A rebuild fills a new generation while searches read the live one, then
switches by replacing `CURRENT` (an atomic rename). tantivy allows a single
`IndexWriter` per generation (a second one gets LockBusy), so the process keeps one.
Each batch is committed and the reader reloaded before the call returns, which makes
a document searchable as soon as its event is acknowledged.

The bulk of a rebuild is the exception: nobody searches the new generation yet, so
its batches are committed only every `REBUILD_COMMIT_DOCS` documents and at the
switch. tantivy indexes them in its own thread meanwhile, overlapping language
detection of the next batch. A rebuild's writer has one indexing thread and a heap of
its own (`rebuild_heap_bytes`): it builds few, large segments, which every search of the
new generation then reads faster (each segment is searched and aggregated on its own),
and the calling thread preparing documents keeps a second core busy. The versions of
documents added but not yet committed are kept in memory so that versions still only
move forward.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import tantivy

from townhall_contracts.search import IndexEvent

from . import schema as f
from .analysis import register_analyzers
from .shared import WATERMARK_ID
from .tantivy_documents import watermark_document

CURRENT_FILE = "CURRENT"
GENERATION = re.compile(r"^gen-(\d{6})$")
_MIN_THREAD_HEAP = 15_000_000
# Rebuild batches committed together: each commit ends a segment, and this bounds the
# in-memory versions of uncommitted documents (some 45 MB).
REBUILD_COMMIT_DOCS = 500_000


class IndexSchemaMismatch(RuntimeError):
    """The directory holds an index built with another schema: rebuild it."""


class IndexDamaged(RuntimeError):
    """The live generation cannot be found or opened: rebuild it."""


class RebuildBroken(RuntimeError):
    """A failed rebuild batch rolled back earlier uncommitted ones: abort the rebuild."""


def open_generation(directory: Path) -> tantivy.Index:
    directory.mkdir(parents=True, exist_ok=True)
    try:
        index = tantivy.Index(f.build_schema(), path=str(directory), reuse=True)
    except ValueError as exc:
        if "schema does not match" in str(exc):
            raise IndexSchemaMismatch(
                f"The index in {directory} was built with another schema; rebuild it."
            ) from exc
        raise
    register_analyzers(index)
    return index


def live_generation(directory: Path) -> Path:
    """The live generation's directory, creating the first one in an empty directory.

    `IndexDamaged` when `CURRENT` is missing beside generations, unreadable, names no
    generation or one that is gone: a fresh index there would answer nothing, quietly."""
    directory.mkdir(parents=True, exist_ok=True)
    pointer = directory / CURRENT_FILE
    if not pointer.exists():
        if generations(directory):
            raise IndexDamaged(f"{CURRENT_FILE} is missing beside the index generations")
        first = directory / "gen-000001"
        point_to(directory, first.name)
        return first
    try:
        name = pointer.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"{CURRENT_FILE} cannot be read: {exc}") from exc
    if not GENERATION.match(name):
        raise IndexDamaged(f"{CURRENT_FILE} names no index generation")
    if not (directory / name).is_dir():
        raise IndexDamaged(f"{CURRENT_FILE} names {name}, which is missing")
    return directory / name


def generations(directory: Path) -> list[Path]:
    return sorted(
        path for path in directory.iterdir() if path.is_dir() and GENERATION.match(path.name)
    )


def next_generation(directory: Path) -> Path:
    """A generation numbered after every one in `directory`."""
    numbers = [int(GENERATION.match(path.name).group(1)) for path in generations(directory)]  # type: ignore[union-attr]
    return directory / f"gen-{max(numbers, default=0) + 1:06d}"


def point_to(directory: Path, name: str) -> None:
    # Write then rename: a crash leaves either the old or the new pointer, never half.
    temporary = directory / f"{CURRENT_FILE}.tmp"
    temporary.write_text(name + "\n")
    os.replace(temporary, directory / CURRENT_FILE)


def create_index(directory: Path) -> tantivy.Index:
    """Open the live generation in `directory`, creating it when missing."""
    return open_generation(live_generation(directory))


class Generation:
    """One tantivy index directory and its single writer."""

    def __init__(self, directory: Path, heap_bytes: int, *, threads: int = 2) -> None:
        self.directory = directory
        self.index = open_generation(directory)
        self.schema = self.index.schema
        # No more indexing threads than the heap allows (tantivy wants 15 MB per thread).
        threads = max(1, min(threads, heap_bytes // _MIN_THREAD_HEAP))
        self.writer: tantivy.IndexWriter | None = self.index.writer(
            heap_size=heap_bytes, num_threads=threads
        )
        self.index.reload()
        # Versions added since the last commit (only rebuild batches defer commits).
        self._uncommitted: dict[str, int] = {}
        self.broken = False

    def apply(
        self,
        events: Sequence[IndexEvent],
        documents: dict[int, tantivy.Document],
        *,
        commit: bool = True,
        watermark: int = 0,
    ) -> int:
        """Apply events whose version is newer than the stored one; returns how many.

        `watermark` (the batch's last event id) is committed with the batch, as the
        version of a document of its own that no search matches. Without `commit`, the
        batch is committed by a later call, at the latest by `commit()`; its versions
        count as stored meanwhile."""
        writer = self._writer()
        stored = self.versions({event.doc_id for event in events} | {WATERMARK_ID})
        earlier_uncommitted = bool(self._uncommitted)
        applied = 0
        try:
            for position, event in enumerate(events):
                if event.version <= stored.get(event.doc_id, 0):
                    continue
                # Delete-then-add replaces every earlier copy, including one added
                # earlier in this batch (deletes apply by opstamp). A document with no
                # stored version has no copy here (most of a rebuild): nothing to delete.
                if event.doc_id in stored:
                    writer.delete_documents_by_term(f.ID, event.doc_id)
                writer.add_document(documents[position])
                stored[event.doc_id] = event.version
                self._uncommitted[event.doc_id] = event.version
                applied += 1
            if watermark > stored.get(WATERMARK_ID, 0):
                writer.delete_documents_by_term(f.ID, WATERMARK_ID)
                writer.add_document(watermark_document(watermark))
                self._uncommitted[WATERMARK_ID] = watermark
            if commit or len(self._uncommitted) >= REBUILD_COMMIT_DOCS:
                self.commit()
        except Exception:
            # A rollback also drops earlier uncommitted batches: this generation
            # can no longer be trusted to hold them.
            self.broken = self.broken or earlier_uncommitted
            self._uncommitted.clear()
            writer.rollback()
            raise
        return applied

    def commit(self) -> None:
        """Make every added document searchable."""
        if self._uncommitted:
            self._writer().commit()
            self.index.reload()
            self._uncommitted.clear()

    def versions(self, doc_ids: set[str]) -> dict[str, int]:
        if not doc_ids:
            return {}
        versions = self._committed_versions(doc_ids)
        for doc_id in doc_ids & self._uncommitted.keys():
            versions[doc_id] = max(versions.get(doc_id, 0), self._uncommitted[doc_id])
        return versions

    def watermark(self) -> tuple[int, int]:
        """The last event id committed and the documents committed with it."""
        watermark = self._committed_versions({WATERMARK_ID}).get(WATERMARK_ID, 0)
        documents = int(self.index.searcher().num_docs) - (1 if watermark else 0)
        return watermark, documents

    def _committed_versions(self, doc_ids: set[str]) -> dict[str, int]:
        searcher = self.index.searcher()
        query = tantivy.Query.term_set_query(self.schema, f.ID, sorted(doc_ids))
        # Each id has one live copy; the margin tolerates none being lost silently.
        result = searcher.search(query, limit=len(doc_ids) * 2, count=False)
        versions: dict[str, int] = {}
        for _score, address in result.hits:
            stored = searcher.doc(address)
            doc_id = stored.get_first(f.ID)
            version = stored.get_first(f.VERSION)
            if isinstance(doc_id, str) and isinstance(version, int):
                versions[doc_id] = max(version, versions.get(doc_id, 0))
        return versions

    def close(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            # Consumes the writer: its lock is released for the next process.
            writer.wait_merging_threads()

    def _writer(self) -> tantivy.IndexWriter:
        if self.writer is None:
            raise RuntimeError("the index is closed")
        return self.writer
