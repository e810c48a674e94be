"""One rebuild at a time across every search instance: a lock document in OpenSearch.

The lock is one document (`_id` `rebuild`) in the layout's lock index, created with
`op_type=create` so that of two instances asking at once exactly one gets it. Its
holder renews it as the rebuild progresses; one that stopped renewing (its process
died) is taken over once `expires_at` has passed, with `if_seq_no` so that two
instances taking over at once cannot both win. Expiry uses the instances' clocks:
`lease_seconds` must be far larger than their skew.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from opensearchpy import ConflictError, NotFoundError, OpenSearch

from .backend import RebuildInProgress
from .opensearch_layout import IndexLayout

log = structlog.get_logger("townhall.search.opensearch")

_LOCK_ID = "rebuild"


class RebuildLockLost(RuntimeError):
    """Another instance took the lock over (this one stopped renewing it in time)."""


class RebuildLock:
    """The cluster-wide rebuild lock, as held (or not) by this instance."""

    def __init__(
        self,
        client: OpenSearch,
        layout: IndexLayout,
        *,
        lease_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._index = layout.lock_index
        self._lease = lease_seconds
        self._clock = clock
        self.holder = f"{uuid.uuid4().hex[:12]}"
        self._seq: tuple[int, int] | None = None

    @property
    def held(self) -> bool:
        return self._seq is not None

    def acquire(self, target: str) -> None:
        """Take the lock for a rebuild into `target`, or `RebuildInProgress`."""
        body = self._body(target)
        try:
            answer = self._client.index(
                index=self._index, id=_LOCK_ID, body=body, op_type="create", refresh="true"
            )
        except ConflictError:
            answer = self._take_over_expired(body)
        self._seq = (int(answer["_seq_no"]), int(answer["_primary_term"]))
        log.info("index_rebuild_lock_taken", holder=self.holder, target=target)

    def renew(self, target: str) -> None:
        """Push the expiry forward; `RebuildLockLost` when another instance took it."""
        self._seq = self._write_if_ours(self._body(target))

    def release(self) -> None:
        """Drop the lock if this instance still holds it."""
        if self._seq is None:
            return
        seq_no, term = self._seq
        self._seq = None
        try:
            self._client.delete(
                index=self._index,
                id=_LOCK_ID,
                if_seq_no=seq_no,
                if_primary_term=term,
                refresh="true",
            )
        except (ConflictError, NotFoundError):
            log.warning("index_rebuild_lock_already_taken", holder=self.holder)

    def _body(self, target: str) -> dict[str, Any]:
        return {"holder": self.holder, "target": target, "expires_at": self._clock() + self._lease}

    def _take_over_expired(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            current = self._client.get(index=self._index, id=_LOCK_ID)
        except NotFoundError:
            # Released between our attempt and this read: ask again, as anyone may.
            return self._create_or_refuse(body)
        held = current["_source"]
        if float(held.get("expires_at", 0)) > self._clock():
            raise RebuildInProgress(
                f"a rebuild into {held.get('target')} is running on another instance "
                f"(holder {held.get('holder')})"
            )
        log.warning("index_rebuild_lock_expired", previous=held.get("holder"))
        try:
            return dict(
                self._client.index(
                    index=self._index,
                    id=_LOCK_ID,
                    body=body,
                    if_seq_no=current["_seq_no"],
                    if_primary_term=current["_primary_term"],
                    refresh="true",
                )
            )
        except ConflictError as exc:
            raise RebuildInProgress("another instance took the expired rebuild lock") from exc

    def _create_or_refuse(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return dict(
                self._client.index(
                    index=self._index, id=_LOCK_ID, body=body, op_type="create", refresh="true"
                )
            )
        except ConflictError as exc:
            raise RebuildInProgress("a rebuild is running on another instance") from exc

    def _write_if_ours(self, body: dict[str, Any]) -> tuple[int, int]:
        if self._seq is None:
            raise RebuildLockLost("this instance does not hold the rebuild lock")
        seq_no, term = self._seq
        try:
            answer = self._client.index(
                index=self._index,
                id=_LOCK_ID,
                body=body,
                if_seq_no=seq_no,
                if_primary_term=term,
                refresh="true",
            )
        except (ConflictError, NotFoundError) as exc:
            self._seq = None
            raise RebuildLockLost("another instance took the rebuild lock over") from exc
        return int(answer["_seq_no"]), int(answer["_primary_term"])
