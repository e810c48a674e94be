"""Versions of the vocabulary with tantivy: one JSON file beside the index.

Search keeps no database (its index is derived and can be rebuilt), but the vocabulary
is authored, so it lives in its own file, which a rebuild never touches. The embedded
index is one machine's, and so is this file: every instance on the machine sees it (with
OpenSearch, the cluster holds the vocabulary instead: `cluster_store`). Every version is
kept (the history); a write replaces the file atomically under an exclusive lock, and
readers pick up a write made by another process when the file's mtime changes.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from townhall_contracts.search import VocabularyRead

from .errors import StaleVocabulary


class VocabularyFile:
    """Every stored version, newest last; none until the first edit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[float, int] | None = None
        self._versions: list[VocabularyRead] = []
        # What callers derive from the latest version, by version (see `service.current`).
        self.memo: dict[int, object] = {}

    def versions(self) -> list[VocabularyRead]:
        """Every stored version, oldest first (re-read when another process wrote)."""
        with self._lock:
            self._refresh()
            return list(self._versions)

    def append(self, expected: int, build: Callable[[int], VocabularyRead]) -> VocabularyRead:
        """Store `build(expected + 1)` if `expected` is still the latest version (0 when
        none), else `StaleVocabulary`."""
        with self._writing() as versions:
            latest = versions[-1].version if versions else 0
            if expected != latest:
                raise StaleVocabulary.at(latest, expected)
            written = build(latest + 1)
            versions.append(written)
        return written

    @contextmanager
    def _writing(self) -> Iterator[list[VocabularyRead]]:
        """The stored versions, under an exclusive lock; what the block appends is saved."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._lock, lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._seen = None
                self._refresh()
                versions = list(self._versions)
                yield versions
                if len(versions) != len(self._versions):
                    self._save(versions)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._versions, self._seen = [], None
            return
        seen = (stat.st_mtime, stat.st_size)
        if seen == self._seen:
            return
        raw: dict[str, Any] = json.loads(self.path.read_text())
        self._versions = [VocabularyRead.model_validate(v) for v in raw["versions"]]
        self._seen = seen

    def _save(self, versions: list[VocabularyRead]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        body = {"versions": [v.model_dump(mode="json") for v in versions]}
        temporary.write_text(json.dumps(body, ensure_ascii=False, indent=1))
        os.replace(temporary, self.path)
        self._versions = versions
        stat = self.path.stat()
        self._seen = (stat.st_mtime, stat.st_size)
